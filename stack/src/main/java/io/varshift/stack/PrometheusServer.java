package io.varshift.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Prometheus from Debian's {@code prometheus} package, started with a given config on 127.0.0.1 and
 * awaited on {@code /-/ready}.
 */
public final class PrometheusServer implements AutoCloseable {

    static final String MARKER = "--web.page-title=varshift-stack";
    private static final Path BINARY = Path.of("/usr/bin/prometheus");

    private final int port;
    private final Process process;

    private PrometheusServer(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** Starts Prometheus with {@code config}, its TSDB under {@code dir}; bounded wait for readiness. */
    public static PrometheusServer start(Path config, Path dir, int port, Duration timeout) {
        if (!installed()) {
            throw new StackException("Prometheus is not installed (" + BINARY + " missing); install it with: "
                    + "apt-get install -y prometheus");
        }
        if (!Files.isRegularFile(config)) {
            throw new StackException("Prometheus config " + config + " does not exist");
        }
        Processes.requirePortFree(port, "Prometheus");
        Path log = dir.resolve("prometheus.log");
        Process process;
        try {
            Files.createDirectories(dir);
            List<String> command = List.of(BINARY.toString(),
                    "--config.file=" + config.toAbsolutePath(),
                    "--storage.tsdb.path=" + dir.resolve("tsdb").toAbsolutePath(),
                    "--web.listen-address=127.0.0.1:" + port,
                    "--web.enable-lifecycle",
                    MARKER);
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new StackException("cannot start Prometheus: " + e.getMessage(), e);
        }
        PrometheusServer server = new PrometheusServer(port, process);
        server.awaitReady(log, timeout);
        return server;
    }

    private void awaitReady(Path log, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/-/ready")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new StackException("Prometheus exited with code " + process.exitValue()
                        + " before it was ready; last lines of " + log + ":\n" + Processes.tail(log, 20));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while waiting for Prometheus", e);
            }
            Processes.sleep(200);
        }
        close();
        throw new StackException("Prometheus not ready after " + timeout.toSeconds() + " s; stopped it. Last lines of "
                + log + ":\n" + Processes.tail(log, 20));
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            Processes.stop(process.toHandle(), 15);
        }
    }
}
