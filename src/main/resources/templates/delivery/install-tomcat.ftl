<#include "_header.ftl">

Installing on Apache Tomcat
1. Import the chain into the keystore that holds the private key (same alias as the key):
     keytool -import -trustcacerts -alias tomcat -file ${body.p7bFile} -keystore /path/to/keystore.jks
   (${body.p7bFile} holds the certificate and the intermediates.)
2. In conf/server.xml, the HTTPS connector points to that keystore:
     <Connector port="8443" protocol="org.apache.coyote.http11.Http11NioProtocol" SSLEnabled="true">
       <SSLHostConfig><Certificate certificateKeystoreFile="/path/to/keystore.jks" type="RSA"/></SSLHostConfig>
     </Connector>
3. Restart Tomcat.
