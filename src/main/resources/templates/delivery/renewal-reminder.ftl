Hello ${body.adminName!""},

the paid term of the SSL certificate for ${body.domain} (order ${body.clientReference}, product
${body.productType}) ends in ${body.days} day<#if body.days != 1>s</#if>: its certificate is valid until ${body.notAfter}
and no further certificate will be issued for this order.
It covers: ${body.names?join(", ")}.

To keep the site secure without interruption, ask your provider to renew the order before that
date. The renewal is a new order for the same names; you will receive its certificate by email
once it is issued, and install it as you did this one.

If a renewal is already on its way, you can ignore this message.
