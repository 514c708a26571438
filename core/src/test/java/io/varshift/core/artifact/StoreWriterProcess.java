package io.varshift.core.artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A separate JVM writing versions into a store, to prove that the file lock serialises processes. */
final class StoreWriterProcess {
    private StoreWriterProcess() {
    }

    /**
     * Arguments: store root, model name, versions to write, id. Announces itself with {@code ready-<id>},
     * waits for {@code go} so that all processes write at once, then prints each version on a line.
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        Path root = Path.of(args[0]);
        ModelStore store = new ModelStore(root);
        Files.createFile(root.resolve("ready-" + args[3]));
        while (!Files.exists(root.resolve("go"))) {
            Thread.sleep(2);
        }
        for (int i = Integer.parseInt(args[2]); i > 0; i--) {
            System.out.println(store.write(args[1], ModelStoreTest.contents()));
        }
    }
}
