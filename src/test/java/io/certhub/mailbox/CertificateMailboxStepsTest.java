package io.certhub.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import io.certhub.order.OrderCompletion;
import io.certhub.pki.Certificates;
import io.certhub.pki.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.component.mail.MailConstants;
import org.apache.camel.component.mail.MailMessage;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The steps of the certificate-mailbox route on their own (issue 14 §3 and §5): each step of
 * {@link CertificateMailbox} on a real exchange holding a camel-mail message, a fresh H2 database
 * migrated by Flyway, the completion operation and the poll strategy mocked. The route's filters
 * run the next step only while {@link CertificateMailbox#UNDECIDED} is true; these tests check what
 * each step decides and records. The whole route across IMAP is {@code io.certhub.flow.CertificateMailboxTest}.
 */
class CertificateMailboxStepsTest {

    static final Session SESSION = Session.getInstance(new Properties());

    final OrderCompletion completion = mock(OrderCompletion.class);
    final MailboxPollStrategy polls = mock(MailboxPollStrategy.class);
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final DefaultCamelContext camel = new DefaultCamelContext();
    JdbcTemplate jdbc;
    CertificateMailbox mailbox;

    @BeforeEach
    void setUp() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/common").load().migrate();
        jdbc = new JdbcTemplate(ds);
        mailbox = new CertificateMailbox(completion, jdbc, Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC), meters, polls,
            new MailboxProperties());
    }

    @AfterEach
    void tearDown() throws Exception {
        camel.close();
    }

    Exchange exchange(String messageId, String subject, String body) throws Exception {
        MimeMessage m = new MimeMessage(SESSION);
        m.setFrom(new InternetAddress("vendor@example.net"));
        m.setSubject(subject);
        m.setText(body, "UTF-8");
        m.saveChanges();
        if (messageId != null) {
            m.setHeader("Message-ID", messageId);
        } else {
            m.removeHeader("Message-ID");                  // saveChanges made one
        }
        Exchange ex = new DefaultExchange(camel);
        ex.setIn(new MailMessage(ex, m, false));
        return ex;
    }

    /** Runs the steps as the route does: each later one only while undecided. */
    CertificateMailbox.MailInHand route(Exchange ex) throws Exception {
        mailbox.read(ex);
        if (undecided(ex)) {
            mailbox.extract(ex);
            if (undecided(ex)) {
                mailbox.match(ex);
                if (undecided(ex)) {
                    mailbox.complete(ex);
                }
            }
            mailbox.record(ex);
        }
        mailbox.moveTo(ex);
        return ex.getProperty(CertificateMailbox.MAIL, CertificateMailbox.MailInHand.class);
    }

    static boolean undecided(Exchange ex) {
        return ex.getProperty(CertificateMailbox.UNDECIDED, Boolean.class);
    }

    long rows(String outcome) {
        return jdbc.queryForObject("select count(*) from mailbox_message where outcome = ?", Long.class, outcome);
    }

    @Test
    void aMailWithoutACertificateIsDecidedAtExtractGoesToQuarantineAndIsRecordedOnce() throws Exception {
        Exchange ex = exchange("<q-1@vendor.example.net>", "Your order 1234567", "Thank you for your order.");
        mailbox.read(ex);
        assertThat(undecided(ex)).isTrue();
        mailbox.extract(ex);
        assertThat(undecided(ex)).isFalse();
        CertificateMailbox.MailInHand mail = ex.getProperty(CertificateMailbox.MAIL, CertificateMailbox.MailInHand.class);
        assertThat(mail.outcome()).isEqualTo(new CertificateMailbox.Outcome("Quarantine", null, "no certificate found in the mail"));
        mailbox.record(ex);
        mailbox.moveTo(ex);

        assertThat(ex.getIn().getHeader(MailConstants.MAIL_MOVE_TO)).isEqualTo("Quarantine");
        assertThat(rows("QUARANTINE")).isEqualTo(1);
        assertThat(meters.counter("certhub.mailbox.quarantine").count()).isEqualTo(1.0);
        verify(polls).succeeded();
        verifyNoInteractions(completion);
    }

    @Test
    void aCertificateNoOrderMatchesGoesToReviewAndTheSameMailAgainKeepsItsFirstFolder() throws Exception {
        TestPki.Pki pki = TestPki.create("nomatch.example.com");
        String body = "Your certificate for order 7654321:\n" + Certificates.toPem(List.of(pki.leaf(), pki.intermediate()));
        CertificateMailbox.MailInHand mail = route(exchange("<r-1@vendor.example.net>", "Certificate issued", body));

        assertThat(mail.key()).isEqualTo("<r-1@vendor.example.net>");
        assertThat(mail.orderIds()).isEmpty();
        assertThat(mail.outcome().folder()).isEqualTo("Review");
        assertThat(mail.outcome().reason()).isEqualTo("no open order matches the vendor order ids [7654321] nor the certificate keys of the mail");
        assertThat(rows("REVIEW")).isEqualTo(1);

        // the same mail again (re-delivery, restart): read decides it from the record; nothing else runs or is written
        Exchange again = exchange("<r-1@vendor.example.net>", "Certificate issued", body);
        mailbox.read(again);
        assertThat(undecided(again)).isFalse();
        mailbox.moveTo(again);
        assertThat(again.getIn().getHeader(MailConstants.MAIL_MOVE_TO)).isEqualTo("Review");
        assertThat(jdbc.queryForObject("select count(*) from mailbox_message", Long.class)).isEqualTo(1);
        assertThat(meters.counter("certhub.mailbox.review").count()).isEqualTo(1.0);
        verify(polls, times(2)).succeeded();
        verifyNoInteractions(completion);
    }

    @Test
    void aMailWithoutMessageIdIsKeyedByTheHashOfItsBytes() throws Exception {
        CertificateMailbox.MailInHand mail = route(exchange(null, "no id", "nothing here"));
        assertThat(mail.key()).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void aStepOnAnExchangeThatWasNeverReadFailsAndFailedTellsThePollStrategy() {
        Exchange ex = new DefaultExchange(camel);
        assertThatThrownBy(() -> mailbox.extract(ex)).isInstanceOf(IllegalStateException.class).hasMessageContaining("step read first");
        mailbox.failed();
        verify(polls).failed();
        verify(polls, never()).succeeded();
    }
}
