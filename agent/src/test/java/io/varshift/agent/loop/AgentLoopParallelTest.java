package io.varshift.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.varshift.core.probe.BnProbes;
import io.varshift.core.reference.ModelReference;

/**
 * Every loop test again with three forward threads per model, plus what only they can get wrong:
 * the windows must not depend on which thread forwarded which batch, replicas must be closed, and a
 * failed forward on a worker must stop the loop as one on the loop thread does.
 */
class AgentLoopParallelTest extends AgentLoopTest {

    @Override
    int forwardWorkers() {
        return 3;
    }

    /** The window results of one loop over fixed traffic: clean windows, then shifted ones. */
    private static List<String> windowResults(int workers) {
        AgentLoopTest run = workers == 1 ? new AgentLoopTest() : new AgentLoopParallelTest();
        run.start(50, null, 1.0, 2);
        for (int w = 0; w < 6; w++) {
            // 53 + 11 per step: batches of 8 straddle the windows' boundaries.
            run.addValid(P0, 53, w < 3 ? 1.0 : 2.5, 300 + w);
            run.addValid(P1, 11, 1.0, 400 + w);
            run.loop.step();
        }
        List<String> out = run.sent("windows").stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .toList();
        run.loop.stop();
        run.loop.run();
        run.close();
        return out;
    }

    @Test
    void theWindowsAreTheSameToTheBitWhateverThreadForwardedWhichBatch() {
        List<String> inline = windowResults(1);
        assertThat(inline).hasSize(7);
        for (int attempt = 0; attempt < 3; attempt++) {
            assertThat(windowResults(3)).isEqualTo(inline);
        }
    }

    @Test
    void aVersionsReplicasAreClosedWhenItIsSwappedOutAndWhenTheLoopStops() {
        IdentityModel v1 = new IdentityModel("m", "1", 50);
        start(20, null, 1.0, 2, v1);
        addValid(P0, 100, 1.0, 21);
        loop.step();
        assertThat(v1.replicas).hasSize(2).noneMatch(r -> r.closed);
        IdentityModel v2 = new IdentityModel("m", "2", 50);
        source.queue.add(v2);
        clock.advance(Duration.ofSeconds(31));
        loop.step();
        addValid(P0, 20, 1.0, 22);
        loop.step();
        assertThat(json("windows")).extracting(w -> w.get("version").asText()).containsExactly("1", "1", "1",
                "1", "1", "2");
        assertThat(v1.closed).isTrue();
        assertThat(v1.replicas).allMatch(r -> r.closed);
        int forwards = v1.forwards + v1.replicas.stream().mapToInt(r -> r.forwards).sum();
        assertThat(forwards).as("batches of 8 over 100 samples in windows of 20").isEqualTo(15);
        assertThat(v2.replicas).hasSize(2).noneMatch(r -> r.closed);
        loop.stop();
        loop.run();
        assertThat(v2.closed).isTrue();
        assertThat(v2.replicas).allMatch(r -> r.closed);
    }

    @Test
    void aForwardThatFailsOnAWorkerStopsTheLoopNamingTheModelAndCommitsNothingOfItsWindow() throws Exception {
        start(20, null, 1.0, 2, new FailingModel(new IdentityModel("m", "1", 50)));
        addValid(P0, 8, 1.0, 23);
        IllegalStateException thrown = null;
        for (int i = 0; i < 400 && thrown == null; i++) {
            try {
                loop.step();
                Thread.sleep(5);
            } catch (IllegalStateException e) {
                thrown = e;
            }
        }
        assertThat(thrown).isNotNull().hasMessageContaining("model 'm' v1: forward of 8 samples failed")
                .hasRootCauseMessage("engine out of memory");
        assertThat(consumer.commits).isEmpty();
    }

    /** A version whose every forward fails, on every replica. */
    private record FailingModel(IdentityModel of) implements MonitoredModel {
        @Override
        public String name() {
            return of.name();
        }

        @Override
        public String version() {
            return of.version();
        }

        @Override
        public int[] sampleShape() {
            return of.sampleShape();
        }

        @Override
        public ModelReference reference() {
            return of.reference();
        }

        @Override
        public int classes() {
            return of.classes();
        }

        @Override
        public void forward(ByteBuffer input, int samples, BnProbes.Listener sink, int[] predicted) {
            throw new IllegalStateException("engine out of memory");
        }

        @Override
        public MonitoredModel replica() {
            return new FailingModel(of);
        }

        @Override
        public void close() {
        }
    }
}
