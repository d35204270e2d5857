<#include "_header.ftl">

Installing
Most servers want the certificate followed by the intermediate certificates in one file:
use fullchain.pem. Servers that take them apart want ${body.leafFile} (the certificate) and
ca-bundle.crt (the intermediates). Point the server to your private key as well.
