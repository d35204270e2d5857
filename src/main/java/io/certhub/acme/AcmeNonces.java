package io.certhub.acme;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The ACME server's anti-replay nonces (RFC 8555 §6.5), table {@code acme_nonce}: 16 random bytes,
 * base64url; each is good once, for {@value #LIFETIME_MINUTES} minutes, on any hub instance (the
 * database decides: a nonce is used by deleting its row). Expired rows are deleted every
 * {@value #SWEEP_EVERY} nonces given out.
 */
@Component
public class AcmeNonces {

    /** How long a nonce is good, in minutes. */
    public static final int LIFETIME_MINUTES = 30;
    static final int SWEEP_EVERY = 500;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final AtomicInteger issued = new AtomicInteger();

    /**
     * @param jdbc  the hub database
     * @param clock the hub's clock
     */
    public AcmeNonces(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** @return a new nonce for a {@code Replay-Nonce} header */
    public String issue() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Instant now = clock.instant();
        jdbc.update("insert into acme_nonce(nonce, expires_at) values (?, ?)", nonce, Timestamp.from(now.plus(Duration.ofMinutes(LIFETIME_MINUTES))));
        if (issued.incrementAndGet() % SWEEP_EVERY == 0) {
            jdbc.update("delete from acme_nonce where expires_at < ?", Timestamp.from(now));
        }
        return nonce;
    }

    /**
     * Uses a nonce up.
     *
     * @param nonce the nonce of a request's protected header
     * @throws AcmeProblem 400 {@code badNonce} when it was never given, was used, or expired
     */
    public void use(String nonce) {
        if (nonce == null || nonce.isEmpty() || nonce.length() > 64
                || jdbc.update("delete from acme_nonce where nonce = ? and expires_at > ?", nonce, Timestamp.from(clock.instant())) != 1) {
            throw new AcmeProblem(400, "badNonce", "the nonce is unknown, used or expired; retry with the Replay-Nonce of this answer");
        }
    }
}
