package io.varshift.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.RepeatedTest;

/** Free ports for the broker's two listeners are always two ports. */
class ProcessesTest {

    @RepeatedTest(20)
    void freePortsAreDistinctAndUsable() {
        int[] ports = Processes.freePorts(3);
        assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(3);
        for (int port : ports) {
            assertThat(port).isBetween(1, 65535);
            assertThat(Processes.portInUse(port)).isFalse();
        }
    }
}
