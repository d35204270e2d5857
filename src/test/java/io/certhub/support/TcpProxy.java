package io.certhub.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback in front of a real server, for failure tests: it can refuse
 * connections (server down) or cut the next connection after some bytes from the server
 * (connection dropped mid-session).
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicLong dropAfter = new AtomicLong(-1);
    /** Bytes from the server still allowed through before every open connection is cut; -1 = not armed. */
    private final AtomicLong cutBudget = new AtomicLong(-1);
    private final AtomicInteger drops = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param targetPort port on 127.0.0.1 to forward to
     * @throws IOException when no port can be bound
     */
    public TcpProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "tcp-proxy-" + listener.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** @return the proxy's port */
    public int port() {
        return listener.getLocalPort();
    }

    /** @param isDown true: every new connection is closed at once (the server looks down) */
    public void down(boolean isDown) {
        down.set(isDown);
    }

    /** @param bytes the next connection is cut after this many bytes from the server */
    public void dropNextAfter(long bytes) {
        dropAfter.set(bytes);
    }

    /**
     * Arms a cut: once {@code bytes} more bytes came from the server (over any connection),
     * the connection carrying them is cut in the middle of its exchange.
     *
     * @param bytes bytes let through first
     */
    public void cutAfter(long bytes) {
        cutBudget.set(bytes);
    }

    /** @return how many connections were cut on purpose */
    public int drops() {
        return drops.get();
    }

    /** @return how many connections were accepted */
    public int connections() {
        return connections.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                connections.incrementAndGet();
                if (down.get()) {
                    client.close();
                    continue;
                }
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5000);
                long limit = dropAfter.getAndSet(-1);
                pump(client, server, -1, null);
                pump(server, client, limit, new Socket[] {client, server});
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, long limit, Socket[] cut) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                byte[] buf = new byte[8192];
                long sent = 0;
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (cut != null && cutBudget.get() >= 0 && cutBudget.addAndGet(-n) < 0) {
                        cutBudget.set(-1);
                        out.write(buf, 0, n / 2);
                        out.flush();
                        drops.incrementAndGet();
                        for (Socket s : cut) {
                            s.close();
                        }
                        return;
                    }
                    if (limit >= 0 && sent + n > limit) {
                        out.write(buf, 0, (int) Math.max(0, limit - sent));
                        out.flush();
                        drops.incrementAndGet();
                        for (Socket s : cut) {
                            s.close();
                        }
                        return;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    sent += n;
                }
            } catch (IOException ignored) {
                // one side closed: the other is closed by try-with-resources
            } finally {
                try {
                    to.close();
                    from.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
    }
}
