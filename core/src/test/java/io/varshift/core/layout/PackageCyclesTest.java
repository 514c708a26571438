package io.varshift.core.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Core's packages form no cycle: read from the sources, each package's references to another core
 * package (imports and fully qualified names) are an edge, and a depth-first search finds no way back.
 */
class PackageCyclesTest {

    private static final Path SOURCES = Path.of("src/main/java/io/varshift/core");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.varshift\\.core\\.([a-z]+)\\.[A-Z]");

    @Test
    void corePackagesFormNoCycle() {
        Map<String, Set<String>> graph = graph();
        assertThat(graph).as("core packages read from " + SOURCES.toAbsolutePath()).hasSizeGreaterThan(5);
        assertThat(cycle(graph)).as("a cycle among core packages; graph: " + graph).isEmpty();
    }

    @Test
    void theSearchFindsACycleWhenThereIsOne() {
        Map<String, Set<String>> graph = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"),
                "d", Set.of("a")));
        assertThat(cycle(graph)).containsExactly("a", "b", "c", "a");
        assertThat(cycle(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of(), "c", Set.of("a", "b"))))).isEmpty();
    }

    private static Map<String, Set<String>> graph() {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String from = SOURCES.relativize(file).getName(0).toString();
                Set<String> to = graph.computeIfAbsent(from, k -> new TreeSet<>());
                if (file.getFileName().toString().equals("package-info.java")) {
                    continue;
                }
                Matcher m = REFERENCE.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(from)) {
                        to.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    /** One cycle as the packages on it, first repeated at the end; empty when there is none. */
    static List<String> cycle(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new TreeMap<>();
        for (String start : graph.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, graph, state, path)) {
                return path;
            }
        }
        return List.of();
    }

    private static boolean visit(String node, Map<String, Set<String>> graph, Map<String, Integer> state,
            List<String> path) {
        int s = state.getOrDefault(node, 0);
        if (s == 2) {
            return false;
        }
        path.add(node);
        if (s == 1) {
            path.subList(0, path.indexOf(node)).clear();
            return true;
        }
        state.put(node, 1);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (visit(next, graph, state, path)) {
                return true;
            }
        }
        state.put(node, 2);
        path.remove(path.size() - 1);
        return false;
    }
}
