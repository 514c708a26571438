package io.varshift.dashboards;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs Debian's {@code promtool} as a process with a bounded wait. */
final class Promtool {

    private static final long TIMEOUT_SECONDS = 60;

    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private Promtool() {
    }

    /** {@code promtool ARGS} in {@code workDir}; output is stdout and stderr together. */
    static Result run(Path workDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(List.of(args));
        try {
            Path log = Files.createTempFile("promtool-", ".log");
            try {
                Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).start();
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish in "
                            + TIMEOUT_SECONDS + " s; output so far:\n" + Files.readString(log, StandardCharsets.UTF_8));
                }
                return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running promtool", e);
        }
    }

    /** promtool from PATH, else /usr/bin; a clear failure naming the Debian package when missing. */
    static Path binary() {
        String path = System.getenv().getOrDefault("PATH", "");
        Optional<Path> found = Stream.concat(Stream.of(path.split(":")), Stream.of("/usr/bin"))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable)
                .findFirst();
        return found.orElseThrow(() -> new IllegalStateException(
                "promtool not found on PATH nor in /usr/bin; it comes with Prometheus: apt-get install prometheus"));
    }
}
