package io.varshift.stack.quickstart;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.varshift.stack.StackException;

/** One of Varshift's Quarkus apps started from its packaged jar as a child process. */
final class AppProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private AppProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static Path jar(Path root, String app) {
        Path jar = root.resolve(app).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new StackException(app + " is not built (" + jar + " missing); run: ./varshift build");
        }
        return jar;
    }

    static List<String> javaCommand(Path root, String app, List<String> systemProperties) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dai.djl.offline=true");
        command.addAll(systemProperties);
        command.add("-jar");
        command.add(jar(root, app).toString());
        return command;
    }

    /** Runs an app command to completion with its output on this terminal; returns the exit code. */
    static int runToEnd(Path root, String app, List<String> args, Duration timeout) {
        List<String> command = javaCommand(root, app, List.of());
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).inheritIO().start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new StackException(app + " " + String.join(" ", args) + " did not finish in "
                        + timeout.toMinutes() + " min; stopped it");
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new StackException("cannot start " + app + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while running " + app, e);
        }
    }

    /** Starts an app in the background, its output in {@code log}. */
    static AppProcess start(Path root, String app, List<String> systemProperties, Path log) {
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(javaCommand(root, app, systemProperties))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new AppProcess(app, process, log);
        } catch (IOException e) {
            throw new StackException("cannot start " + app + ": " + e.getMessage(), e);
        }
    }

    /** Waits until {@code url} answers 200, failing early if the process dies. */
    void awaitHttpOk(String url, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new StackException(name + " exited with code " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while waiting for " + name, e);
            }
            sleep(500);
        }
        throw new StackException(name + " not ready at " + url + " after " + timeout.toSeconds() + " s; see " + log);
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM lets the app shut down gracefully (the agent settles its open window); SIGKILL after 30 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted", e);
        }
    }
}
