package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.certhub.api.ApiKeyService;
import io.certhub.ledger.LedgerService;
import io.certhub.ledger.Money;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 §5: an order for a domain that WHOIS/RDAP says is not registered is accepted (state
 * as requested, hold as usual) and carries the warning {@code DOMAIN_NOT_REGISTERED} in its
 * {@code warnings} and its history; the order's answer never waits on the lookup. Across the
 * wire: the hub runs with lookups on against a loopback WHOIS server (port 43 protocol, RFC 3912;
 * {@code .org} has no RDAP service in this hub's bootstrap file) and a loopback RDAP server
 * ({@code .com}), orders go in by HTTP and by the inbox folder.
 */
class DomainRegistrationWarningTest {

    private static final String CODE = "DOMAIN_NOT_REGISTERED";

    @TempDir
    static Path dataDir;
    @TempDir
    static Path etc;
    static RunningHub hub;
    static Whois whois;
    static HttpServer rdap;
    static final List<String> rdapLog = new CopyOnWriteArrayList<>();
    /** Registered domains the RDAP server knows (200); every other name answers 404. */
    static final Set<String> registeredCom = Set.of("registered-shop.com", "renamed-shop.com");
    static String key;

    @BeforeAll
    static void start() throws IOException {
        whois = new Whois();
        rdap = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        rdap.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            rdapLog.add(path);
            String name = path.substring(path.lastIndexOf('/') + 1);
            byte[] body = registeredCom.contains(name)
                ? ("{\"objectClassName\":\"domain\",\"ldhName\":\"" + name.toUpperCase() + "\",\"entities\":[]}").getBytes(StandardCharsets.UTF_8)
                : "{\"errorCode\":404,\"title\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/rdap+json");
            ex.sendResponseHeaders(registeredCom.contains(name) ? 200 : 404, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        rdap.start();
        Path bootstrap = etc.resolve("rdap-dns.json");
        Files.writeString(bootstrap, "{\"version\":\"1.0\",\"services\":[[[\"com\"],[\"http://127.0.0.1:"
            + rdap.getAddress().getPort() + "/com/\"]]]}");
        hub = RunningHub.start(dataDir, "--hub.sandbox.auto-approve=false",
            "--hub.dcv.lookups-enabled=true",
            "--hub.dcv.whois-server=127.0.0.1", "--hub.dcv.whois-port=" + whois.port(),
            "--hub.dcv.rdap-bootstrap=file:" + bootstrap,
            // long enough that a held WHOIS answer is still awaited when the test releases it
            "--hub.dcv.timeout=60s");
        String account = "acct-dcv-warn";
        hub.context().getBean(LedgerService.class).createAccountIfAbsent(account, "USD", Money.parse("1000.00", "USD"));
        key = account + "-key-" + UUID.randomUUID();
        hub.context().getBean(ApiKeyService.class).addIfAbsent(key, account);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (rdap != null) {
            rdap.stop(0);
        }
        if (whois != null) {
            whois.close();
        }
    }

    static String order(String ref, String handle, String approver, String domain, String... additional) {
        String[] names = new String[additional.length + 1];
        names[0] = domain;
        System.arraycopy(additional, 0, names, 1, additional.length);
        ObjectNode o = OrderJson.order(ref, "comodo_ssl", handle, domain, TestCsrs.ec(names));
        for (String a : additional) {
            ((com.fasterxml.jackson.databind.node.ArrayNode) o.get("additionalDomains")).add(a);
        }
        if (approver == null) {
            o.put("dcvMethod", "dns");
            o.remove("approverEmail");
        } else {
            o.put("approverEmail", approver);
        }
        return o.toString();
    }

    static JsonNode json(HttpResponse<String> r) {
        return OrderJson.parse(r.body());
    }

    static JsonNode get(String id) {
        return json(hub.get("/api/v1/orders/" + id, key));
    }

    static JsonNode awaitWarnings(String id) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> get(id), o -> o.path("warnings").size() > 0);
    }

    static List<String> warningHistory(JsonNode order) {
        return StreamSupport.stream(order.path("history").spliterator(), false)
            .map(h -> h.path("reason").asText()).filter(r -> r.startsWith("warning ")).toList();
    }

    static String detail(String name, String words) {
        return name + ": " + words + "; mail to its approver addresses cannot arrive and the CA cannot validate it until it is"
            + " registered. The order goes on (registration data can be wrong or late): check the spelling or register the domain.";
    }

    @Test
    void anOrderForAnUnregisteredDomainIsSubmittedAndCarriesTheWarning() {
        // before: the registry's "No match" was dropped; the order showed nothing
        HttpResponse<String> r = hub.post("/api/v1/orders", key,
            order("UNREG-1", "process", "admin@never-registered.org", "shop.never-registered.org"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode placed = json(r);
        assertThat(placed.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(placed.get("hold").get("state").asText()).isEqualTo("HELD");
        JsonNode o = awaitWarnings(placed.get("id").asText());
        assertThat(o.get("warnings")).hasSize(1);
        JsonNode w = o.get("warnings").get(0);
        assertThat(w.get("code").asText()).isEqualTo(CODE);
        assertThat(w.get("field").asText()).isEqualTo("domain");
        assertThat(w.get("detail").asText()).isEqualTo(detail("shop.never-registered.org",
            "WHOIS (127.0.0.1) says never-registered.org is not registered"));
        assertThat(o.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(o.get("hold").get("state").asText()).isEqualTo("HELD");
        JsonNode entry = StreamSupport.stream(o.get("history").spliterator(), false)
            .filter(h -> h.path("reason").asText().startsWith("warning ")).findFirst().orElseThrow();
        assertThat(entry.get("reason").asText()).isEqualTo("warning " + CODE + " (domain): " + w.get("detail").asText());
        assertThat(entry.get("actor").asText()).isEqualTo("system");
        assertThat(entry.get("from").asText()).isEqualTo(entry.get("to").asText());
        assertThat(whois.log()).contains("never-registered.org");

        // GET /approvers says the same (its notes carry the warning; the constructed list is unchanged)
        JsonNode candidates = json(hub.get("/api/v1/approvers?domain=shop.never-registered.org", key));
        assertThat(candidates.size()).isPositive();
        assertThat(candidates.get(0).get("note").asText())
            .contains("Warning: WHOIS (127.0.0.1) says never-registered.org is not registered");
    }

    @Test
    void theAnswerNeverWaitsOnALookupThatHasNotAnswered() throws Exception {
        CountDownLatch release = whois.hold("slow-registry.org");

        long start = System.nanoTime();
        HttpResponse<String> r = hub.post("/api/v1/orders", key,
            order("SLOW-1", "save", "admin@slow-registry.org", "slow-registry.org"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // the WHOIS server holds its answer until released below: the 201 came without it
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode saved = json(r);
        assertThat(saved.get("state").asText()).isEqualTo("PENDING");
        assertThat(saved.get("warnings")).isEmpty();
        assertThat(took).isLessThan(Duration.ofSeconds(30));       // far below the 60 s lookup time-out
        await().atMost(Duration.ofSeconds(30)).until(() -> whois.log().contains("slow-registry.org"));
        assertThat(get(saved.get("id").asText()).get("warnings")).isEmpty();

        release.countDown();
        JsonNode o = awaitWarnings(saved.get("id").asText());
        assertThat(o.get("warnings").get(0).get("code").asText()).isEqualTo(CODE);
        assertThat(o.get("warnings").get(0).get("detail").asText()).isEqualTo(detail("slow-registry.org",
            "WHOIS (127.0.0.1) says slow-registry.org is not registered"));
        assertThat(o.get("state").asText()).isEqualTo("PENDING");
        assertThat(o.get("hold").isNull()).isTrue();
    }

    @Test
    void onlyTheUnregisteredSanIsWarnedAboutAndARegisteredDomainGetsNone() {
        HttpResponse<String> r = hub.post("/api/v1/orders", key,
            order("SAN-1", "process", null, "www.registered-shop.com", "shop.typo-shop.com"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = json(r).get("id").asText();

        JsonNode o = awaitWarnings(id);

        // the main name (registered-shop.com, RDAP 200) is looked up in the same pass as the SAN and
        // recorded with it in one transaction: only the unregistered SAN carries a warning
        assertThat(o.get("warnings")).hasSize(1);
        JsonNode w = o.get("warnings").get(0);
        assertThat(w.get("code").asText()).isEqualTo(CODE);
        assertThat(w.get("field").asText()).isEqualTo("additionalDomains[0]");
        assertThat(w.get("detail").asText()).isEqualTo(detail("shop.typo-shop.com", "RDAP (http://127.0.0.1:"
            + rdap.getAddress().getPort() + "/com/domain/typo-shop.com) says typo-shop.com is not registered"));
        assertThat(o.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(rdapLog).contains("/com/domain/registered-shop.com", "/com/domain/typo-shop.com");
        assertThat(warningHistory(o)).hasSize(1);
    }

    @Test
    void anAnswerAlreadyLookedUpIsInThe201AndTheWarningFollowsSubmitAndEdit() {
        // the dashboard's new-order page asks for the approvers first: that lookup is cached
        JsonNode candidates = json(hub.get("/api/v1/approvers?domain=cached-shop.com", key));
        assertThat(candidates.get(0).get("note").asText()).contains("says cached-shop.com is not registered");
        int rdapCalls = rdapLog.size();

        HttpResponse<String> r = hub.post("/api/v1/orders", key, order("CACHED-1", "save", "admin@cached-shop.com", "cached-shop.com"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode saved = json(r);
        String id = saved.get("id").asText();
        assertThat(saved.get("state").asText()).isEqualTo("PENDING");
        assertThat(saved.get("warnings")).hasSize(1);
        assertThat(saved.get("warnings").get(0).get("field").asText()).isEqualTo("domain");
        assertThat(saved.get("warnings").get(0).get("detail").asText()).startsWith("cached-shop.com: RDAP (")
            .contains("says cached-shop.com is not registered");
        assertThat(rdapLog).hasSize(rdapCalls);                     // no lookup of its own

        // submitted: checked again, still accepted, the same warning (not a second one)
        HttpResponse<String> submitted = hub.post("/api/v1/orders/" + id + "/submit", key, null);
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
        assertThat(json(submitted).get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(json(submitted).get("warnings")).hasSize(1);
        assertThat(warningHistory(json(submitted))).hasSize(1);

        // a saved order edited to a registered name loses the warning, with a history entry
        HttpResponse<String> other = hub.post("/api/v1/orders", key, order("CACHED-2", "save", "admin@cached-shop.com", "cached-shop.com"));
        String id2 = json(other).get("id").asText();
        assertThat(json(other).get("warnings")).hasSize(1);
        ObjectNode patch = OrderJson.MAPPER.createObjectNode();
        patch.put("domain", "renamed-shop.com");
        patch.put("csr", TestCsrs.ec("renamed-shop.com"));
        patch.put("approverEmail", "admin@renamed-shop.com");
        HttpResponse<String> edited = hub.call("PATCH", "/api/v1/orders/" + id2, key, patch.toString());
        assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
        JsonNode cleared = await().atMost(Duration.ofSeconds(60)).until(() -> get(id2), o -> o.path("warnings").isEmpty());
        assertThat(warningHistory(cleared)).containsExactly(
            "warning " + CODE + " (domain): " + saved.get("warnings").get(0).get("detail").asText(),
            "warning " + CODE + " (domain) cleared: renamed-shop.com is registered");
        assertThat(cleared.get("state").asText()).isEqualTo("PENDING");
    }

    @Test
    void anOrderFileForAnUnregisteredDomainIsDoneWithTheWarningOnItsOrder() throws Exception {
        Path inbox = hub.inbox("acct-dcv-warn");
        Files.createDirectories(inbox);
        String doc = "[" + order("FILE-1", "process", "admin@dropped-file.org", "dropped-file.org") + "]";
        Path tmp = inbox.resolve(".file-1.writing");
        Files.writeString(tmp, doc);
        Files.move(tmp, inbox.resolve("file-1.json"), StandardCopyOption.ATOMIC_MOVE);

        Path report = inbox.resolve("done").resolve("file-1.json.result.json");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(report));
        JsonNode result = OrderJson.parse(Files.readString(report));
        assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("done");
        JsonNode first = result.get("orders").get(0);
        assertThat(first.get("state").asText()).isEqualTo("IN_PROGRESS");

        JsonNode o = awaitWarnings(first.get("id").asText());
        assertThat(o.get("warnings").get(0).get("code").asText()).isEqualTo(CODE);
        assertThat(o.get("warnings").get(0).get("detail").asText()).isEqualTo(detail("dropped-file.org",
            "WHOIS (127.0.0.1) says dropped-file.org is not registered"));
        assertThat(warningHistory(o)).hasSize(1);
    }

    /**
     * A WHOIS server on a loopback port (RFC 3912: one query line, the answer, close), each
     * connection on its own thread: "No match for" every query, except queries held until the
     * test releases them.
     */
    static final class Whois implements AutoCloseable {
        private final ServerSocket socket;
        private final List<String> log = new CopyOnWriteArrayList<>();
        private final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();

        Whois() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::accept, "test-whois");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        List<String> log() {
            return List.copyOf(log);
        }

        /** @return the latch that releases the answer to {@code query} */
        CountDownLatch hold(String query) {
            return held.computeIfAbsent(query, q -> new CountDownLatch(1));
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    Thread t = new Thread(() -> answer(s), "test-whois-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void answer(Socket s) {
            try (s) {
                s.setSoTimeout(90_000);
                String query = readLine(s.getInputStream());
                log.add(query);
                CountDownLatch gate = held.get(query);
                if (gate != null && !gate.await(90, TimeUnit.SECONDS)) {
                    return;
                }
                s.getOutputStream().write(("No match for \"" + query + "\".\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            } catch (IOException e) {
                // the hub gave up; nothing to answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            held.values().forEach(CountDownLatch::countDown);
            try {
                socket.close();
            } catch (IOException e) {
                // ignore
            }
        }
    }
}
