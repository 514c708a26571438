package io.varshift.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.varshift.core.codec.DecodeLimits;

/** The builder's defaults, and settings derived from others changing only what is asked. */
class LoopSettingsTest {

    @Test
    void aBuilderDefaultsToOneWorkerSingleAgentModeAndARequestSizeAlignedWithTheDecodeLimits() {
        LoopSettings s = AgentLoopTest.settings().decodeLimits(null).build();
        assertThat(s.decodeLimits()).isEqualTo(DecodeLimits.DEFAULT);
        assertThat(s.maxRecordBytes()).isEqualTo(LoopSettings.alignedRequestBytes(DecodeLimits.DEFAULT));
        assertThat(s.forwardWorkers()).isEqualTo(1);
        assertThat(s.fleetMode()).isFalse();
        assertThat(s.publishMoments()).isFalse();
    }

    @Test
    void derivedSettingsChangeOnlyWhatIsAsked() {
        LoopSettings base = AgentLoopTest.settings().build();
        assertThat(base.toBuilder().build()).isEqualTo(base);
        Fleet fleet = new Fleet("partials", 10, Duration.ofSeconds(2));
        LoopSettings derived = base.toBuilder().forwardWorkers(3).maxRecordBytes(1 << 20).fleet(fleet)
                .publishMoments(true).build();
        assertThat(derived).isEqualTo(new LoopSettings(base.topics(), base.deadLetterTopic(),
                base.windowResultsTopic(), base.alertsTopic(), base.batchSize(), base.maxWait(), base.sampleRate(),
                base.windowSamples(), base.windowDuration(), base.enterAfter(), base.exitAfter(), base.pollTimeout(),
                base.reloadInterval(), base.commitInterval(), base.decodeLimits(), 1 << 20, 3, fleet, true));
        // A derived builder keeps the request size it was seeded with.
        assertThat(derived.toBuilder().decodeLimits(DecodeLimits.DEFAULT).build().maxRecordBytes()).isEqualTo(1 << 20);
    }

    @Test
    void derivedSettingsAreValidatedAsNewOnes() {
        LoopSettings base = AgentLoopTest.settings().build();
        assertThatThrownBy(() -> base.toBuilder().forwardWorkers(0).build())
                .hasMessage("varshift.agent.forward-workers = 0: use 1..64 (1 forwards on the loop thread)");
        assertThatThrownBy(() -> base.toBuilder().maxRecordBytes(1024).build())
                .hasMessage("varshift.agent.kafka.max.request.size = 1024: use at least 65536 bytes, so that a bounded "
                        + "dead letter fits");
        assertThatThrownBy(() -> LoopSettings.builder().build())
                .hasMessage("varshift.agent.topics = null: name at least one traffic topic");
    }
}
