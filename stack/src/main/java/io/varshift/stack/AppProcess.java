package io.varshift.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of Varshift's Quarkus apps started from its packaged jar as a child JVM, DJL offline: the
 * quickstart's agent and trainer, and the apps of the end-to-end tests.
 */
public final class AppProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private AppProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** The app's runner jar under the project root; fails with the build command when it is missing. */
    public static Path jar(Path root, String app) {
        Path jar = root.resolve(app).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new StackException(app + " is not built (" + jar + " missing); run: ./varshift build");
        }
        return jar;
    }

    private static List<String> javaCommand(Path jar, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dai.djl.offline=true");
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        return command;
    }

    /** Runs an app command to completion with its output on this terminal; returns the exit code. */
    public static int runToEnd(Path root, String app, List<String> args, Duration timeout) {
        List<String> command = javaCommand(jar(root, app), List.of(), args);
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

    /** Starts an app of the project root in the background, its output in {@code log}. */
    public static AppProcess start(Path root, String app, List<String> jvmOptions, Path log) {
        return start(app, jar(root, app), jvmOptions, List.of(), Map.of(), log);
    }

    /**
     * Starts {@code jar} in the background with JVM options (e.g. {@code -Dkey=value}), program
     * arguments and extra environment variables, its output in {@code log}.
     */
    public static AppProcess start(String name, Path jar, List<String> jvmOptions, List<String> args,
                                   Map<String, String> environment, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(javaCommand(jar, jvmOptions, args))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            return new AppProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new StackException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** Waits for a one-shot command; fails with the log's tail unless it exits 0 in time. */
    public void awaitSuccess(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                close();
                throw new StackException(name + " did not finish in " + timeout.toSeconds() + " s:\n" + tail(40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while waiting for " + name, e);
        }
        if (process.exitValue() != 0) {
            throw new StackException(name + " exited with " + process.exitValue() + ":\n" + tail(40));
        }
    }

    /** Waits until {@code url} answers 200, failing early if the process dies. */
    public void awaitHttpOk(String url, Duration timeout) {
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
            Processes.sleep(500);
        }
        throw new StackException(name + " not ready at " + url + " after " + timeout.toSeconds() + " s; see " + log);
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The last {@code lines} lines of the log, for a failure message. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /**
     * The app's threads as {@code jcmd <pid> Thread.print} prints them, for a failure message when the
     * app stopped making progress; a line saying why when the dump cannot be taken.
     */
    public String threadDump() {
        if (!process.isAlive()) {
            return "(" + name + " is not running: exit code " + process.exitValue() + ")";
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                    .redirectErrorStream(true).start();
            byte[] out = dump.getInputStream().readAllBytes();
            dump.waitFor(30, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot take a thread dump of " + name + " with " + jcmd + ": " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted while taking a thread dump of " + name + ")";
        }
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
}
