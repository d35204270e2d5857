<#include "_header.ftl">

Installing on Apache httpd (2.4.8 or later)
1. Copy ${body.leafFile} and ca-bundle.crt to /etc/ssl/certs/ (or your usual folder).
2. In the virtual host for ${body.domain} (port 443):
     SSLEngine on
     SSLCertificateFile      /etc/ssl/certs/fullchain.pem
     SSLCertificateKeyFile   /etc/ssl/private/${body.domain?replace("*", "star")}.key
   (fullchain.pem holds the certificate followed by the intermediate certificates.)
3. Check the configuration with `apachectl configtest`, then reload: `systemctl reload apache2`.
