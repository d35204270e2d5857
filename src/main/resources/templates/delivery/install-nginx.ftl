<#include "_header.ftl">

Installing on nginx
1. Copy fullchain.pem to /etc/nginx/ssl/${body.domain?replace("*", "star")}.fullchain.pem.
2. In the server block for ${body.domain}:
     listen 443 ssl;
     ssl_certificate     /etc/nginx/ssl/${body.domain?replace("*", "star")}.fullchain.pem;
     ssl_certificate_key /etc/nginx/ssl/${body.domain?replace("*", "star")}.key;
   nginx needs the certificate and the intermediates in one file: use fullchain.pem, not ${body.leafFile} alone.
3. Test with `nginx -t`, then reload: `systemctl reload nginx`.
