package io.varshift.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** DJL must load the PyTorch natives offline from the Maven artifact, with no network. */
class EngineSmokeTest {

    @Test
    void pytorchEngineLoadsOfflineAndComputes() {
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf("DJL engine %s %s, default device %s%n",
                engine.getEngineName(), engine.getVersion(), engine.defaultDevice());
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1f, 2f, 3f});
            assertThat(x.sum().getFloat()).isEqualTo(6f);
        }
        assertThat(engine.getVersion()).startsWith("2.5.1");
    }
}
