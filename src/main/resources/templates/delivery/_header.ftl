Hello ${body.adminName!""},

the SSL certificate for ${body.domain} is issued (order ${body.clientReference}, product ${body.productType}).
It covers: ${body.names?join(", ")}. It is valid until ${body.notAfter}.

Attached:
<#list body.files as f>
  - ${f}
</#list>

Your private key is the one you made with the certificate request (CSR); it never left your
server and is not in this email.
