<#include "_header.ftl">

Installing on Microsoft IIS
1. On the server where the CSR was made, open IIS Manager → the server node → Server Certificates.
2. Choose "Complete Certificate Request…", select ${body.p7bFile} (it holds the certificate and the
   intermediates), give it a friendly name, and store it in the "Web Hosting" store.
3. Select the site → Bindings… → add or edit the https binding (port 443) and choose the new certificate.
