package io.varshift.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving tests a REAL Kafka broker: one single-node KRaft broker per test JVM,
 * started on free ports on first use and stopped when the JVM's tests are done. When the environment
 * variable {@code VARSHIFT_KAFKA_BOOTSTRAP} (or system property {@code varshift.kafka.bootstrap}) names
 * a running broker, for instance the one {@code ./varshift stack up} started, that one is used instead.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static volatile String bootstrap;

    @Override
    public void beforeAll(ExtensionContext context) {
        bootstrapServers();
    }

    /** The bootstrap servers of the test broker, starting it on first call. */
    public static synchronized String bootstrapServers() {
        if (bootstrap == null) {
            String external = System.getProperty("varshift.kafka.bootstrap", System.getenv("VARSHIFT_KAFKA_BOOTSTRAP"));
            bootstrap = external != null && !external.isBlank() ? external : startOwnBroker();
        }
        return bootstrap;
    }

    private static String startOwnBroker() {
        try {
            Path dir = Files.createTempDirectory("varshift-test-kafka-");
            int[] ports = Processes.freePorts(2);
            KafkaBroker broker = KafkaBroker.start(dir, ports[0], ports[1], START_TIMEOUT);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                broker.close();
                deleteTree(dir);
            }, "varshift-test-kafka-stop"));
            return broker.bootstrapServers();
        } catch (IOException e) {
            throw new StackException("cannot create a temp dir for the test broker: " + e.getMessage(), e);
        }
    }

    /** Creates a topic (idempotent) and waits until it exists. */
    public static void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new StackException("cannot create topic " + name + ": " + e.getCause(), e);
            }
        } catch (Exception e) {
            throw new StackException("cannot create topic " + name + ": " + e, e);
        }
    }

    /** Names of existing topics. */
    public static Set<String> topics() {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new StackException("cannot list topics: " + e, e);
        }
    }

    /** An admin client on the test broker; the caller closes it. */
    public static Admin admin() {
        Properties props = new Properties();
        props.putAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000"));
        return Admin.create(props);
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir; best effort at JVM exit
        }
    }
}
