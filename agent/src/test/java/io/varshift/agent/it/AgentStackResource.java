package io.varshift.agent.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.varshift.stack.KafkaBrokerExtension;

/**
 * Gives the agent under test a real Kafka broker with its topics and a model store holding a
 * freshly trained, calibrated Fashion-MNIST model, before Quarkus starts.
 */
public class AgentStackResource implements QuarkusTestResourceLifecycleManager {

    static final String MODEL = "fmnist";
    static final int WINDOW = TinyFashionModel.WINDOW;
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String TRAFFIC = "it-traffic-" + RUN;
    static final String DLQ = "it-dlq-" + RUN;
    static final String WINDOWS = "it-windows-" + RUN;
    static final String ALERTS = "it-alerts-" + RUN;

    static Path store;
    static TinyFashionModel model;

    @Override
    public Map<String, String> start() {
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        KafkaBrokerExtension.createTopic(TRAFFIC, 2);
        KafkaBrokerExtension.createTopic(DLQ, 1);
        KafkaBrokerExtension.createTopic(WINDOWS, 1);
        KafkaBrokerExtension.createTopic(ALERTS, 1);
        try {
            store = Files.createTempDirectory("varshift-agent-it-store-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        model = TinyFashionModel.shared();
        model.writeTo(store, MODEL);
        return Map.ofEntries(
                Map.entry("varshift.agent.bootstrap-servers", bootstrap),
                Map.entry("varshift.agent.group-id", "it-agent-" + RUN),
                Map.entry("varshift.agent.topics", TRAFFIC),
                Map.entry("varshift.agent.dead-letter-topic", DLQ),
                Map.entry("varshift.agent.window-results-topic", WINDOWS),
                Map.entry("varshift.agent.alerts-topic", ALERTS),
                Map.entry("varshift.agent.models", MODEL),
                Map.entry("varshift.agent.model-store", store.toString()),
                Map.entry("varshift.agent.window.samples", Integer.toString(WINDOW)),
                Map.entry("varshift.agent.batch-size", "32"),
                Map.entry("varshift.agent.max-wait", "50ms"),
                Map.entry("varshift.agent.reload-interval", "1s"),
                Map.entry("varshift.agent.alarm.enter-after", "2"),
                Map.entry("varshift.agent.alarm.exit-after", "2"));
    }

    @Override
    public void stop() {
        // The broker stops with the test JVM; the store is a temp dir.
    }
}
