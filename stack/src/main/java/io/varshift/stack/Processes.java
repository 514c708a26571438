package io.varshift.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Small helpers for the external processes of the local stack: ports, pid files, log tails. */
public final class Processes {

    private Processes() {
    }

    /** The java executable of the running JVM, so children run on the same JDK. */
    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new StackException("no free TCP port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /**
     * {@code count} distinct free ports on 127.0.0.1. The sockets stay open until all are taken: two
     * calls of {@link #freePort()} in a row can get the same port back, and a broker given one port for
     * two listeners refuses to start.
     */
    static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new StackException("no free TCP port on 127.0.0.1: " + e.getMessage(), e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // a port that cannot be closed again is still free enough for the caller to fail clearly
                }
            }
        }
    }

    static boolean portInUse(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void requirePortFree(int port, String what) {
        if (portInUse(port)) {
            throw new StackException(what + ": port 127.0.0.1:" + port
                    + " is already in use; stop whatever holds it (ss -ltnp 'sport = :" + port
                    + "') or choose another port");
        }
    }

    /** Last lines of a log file, for error messages. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    static boolean logContains(Path log, String needle) {
        try {
            return Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(needle);
        } catch (IOException e) {
            return false;
        }
    }

    static void writePid(Path pidFile, long pid) {
        try {
            Files.createDirectories(pidFile.getParent());
            Files.writeString(pidFile, Long.toString(pid) + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new StackException("cannot write pid file " + pidFile + ": " + e.getMessage(), e);
        }
    }

    /** The live process recorded in a pid file, if it still runs and its command line carries the marker. */
    static Optional<ProcessHandle> fromPidFile(Path pidFile, String marker) {
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(handle -> commandLine(handle).contains(marker));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** /proc is read directly: ProcessHandle.info() truncates long Java command lines. */
    private static String commandLine(ProcessHandle handle) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(handle.pid()), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return handle.info().commandLine().orElse("");
        }
    }

    /** SIGTERM, then SIGKILL after the grace period; waits (bounded) until the process is gone. */
    static void stop(ProcessHandle handle, long graceSeconds) {
        List<ProcessHandle> family = new ArrayList<>();
        handle.descendants().forEach(family::add);
        handle.destroy();
        try {
            handle.onExit().get(graceSeconds, TimeUnit.SECONDS);
        } catch (Exception timeout) {
            handle.destroyForcibly();
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                throw new StackException("process " + handle.pid() + " did not exit after SIGKILL");
            }
        }
        family.forEach(ProcessHandle::destroyForcibly);
    }

    /** Sleeps; an interrupt keeps the thread's flag and ends the wait with a StackException. */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while waiting", e);
        }
    }
}
