package io.varshift.agent.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.agent.AgentHealthState;
import io.varshift.agent.AgentService;
import io.varshift.agent.BrokerCheck;
import io.varshift.agent.fleet.FleetTopology;
import io.varshift.agent.loop.Fleet;
import io.varshift.agent.loop.AgentLoop;
import io.varshift.agent.loop.LoopSettings;
import io.varshift.agent.loop.LoopSupervisor;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.agent.model.StoreModelSource;
import io.varshift.agent.model.WindowFit;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.codec.DecodeLimits;

/**
 * The agent's loop under its supervisor alone in a JVM of its own (same clients, defaults and health
 * logic as the service), so that a test can kill it with SIGKILL or SIGTERM. It answers
 * {@code /q/health/live} and {@code /q/health/ready} (200 or 503) on {@code healthPort} when given.
 * Args: bootstrap group trafficTopic windowsTopic storeDir model windowSamples [healthPort].
 * Dead letters go to {@code windowsTopic-dlq}, alerts to {@code windowsTopic-alerts}. System properties:
 * {@code varshift.test.fleet.partials} (a topic: fleet mode, with the fleet judge in this JVM),
 * {@code varshift.test.fleet.slice-records}, {@code varshift.test.window.duration} (ISO-8601, e.g. PT5S) and
 * {@code varshift.test.publish-moments}.
 */
public final class AgentProcess {

    private AgentProcess() {
    }

    public static void main(String[] args) throws IOException {
        String bootstrap = args[0];
        String duration = System.getProperty("varshift.test.window.duration");
        LoopSettings.Builder builder = LoopSettings.builder()
                .topics(List.of(args[2]))
                .deadLetterTopic(args[3] + "-dlq")
                .windowResultsTopic(args[3])
                .alertsTopic(args[3] + "-alerts")
                .batchSize(32)
                .maxWait(Duration.ofMillis(50))
                .sampleRate(1.0)
                .windowSamples(Integer.parseInt(args[6]))
                .windowDuration(duration == null ? null : Duration.parse(duration))
                .enterAfter(2)
                .exitAfter(2)
                .pollTimeout(Duration.ofMillis(100))
                .reloadInterval(Duration.ofSeconds(2))
                .commitInterval(Duration.ofSeconds(1))
                .decodeLimits(DecodeLimits.DEFAULT)
                .publishMoments(Boolean.getBoolean("varshift.test.publish-moments"));
        String partials = System.getProperty("varshift.test.fleet.partials");
        if (partials != null) {
            builder.fleet(new Fleet(partials, Integer.getInteger("varshift.test.fleet.slice-records", 25),
                    Duration.ofSeconds(2)));
        }
        LoopSettings settings = builder.build();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        AgentService.applyProducerDefaults(p, settings);
        LoopSettings aligned = AgentService.withRequestSize(settings, p);
        AgentMetrics metrics = new AgentMetrics(new SimpleMeterRegistry());
        if (aligned.fleetMode()) {
            Properties clients = new Properties();
            clients.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000", ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000"));
            if (args.length > 7) {
                // Streams names its clients after this: a test finds which agent hosts a judge task by it.
                clients.put(ConsumerConfig.CLIENT_ID_CONFIG, "varshift-agent-" + args[7]);
            }
            FleetTopology judge = FleetTopology.start(AgentService.fleetJudgeSettings(args[1], aligned), clients,
                    new ModelStore(Path.of(args[4])), metrics);
            Runtime.getRuntime().addShutdownHook(new Thread(judge::close));
        }
        LoopSupervisor supervisor = new LoopSupervisor(() -> new AgentLoop(
                new KafkaConsumer<>(consumerProperties(bootstrap, args[1], aligned.fleetMode()), new ByteArrayDeserializer(),
                        new ByteArrayDeserializer()),
                new KafkaProducer<>(aligned.fleetMode() ? AgentService.transactional(p, args[1]) : p,
                        new ByteArraySerializer(), new ByteArraySerializer()), aligned,
                new StoreModelSource(new ModelStore(Path.of(args[4])), List.of(args[5]), metrics,
                        new WindowFit(0, true)), metrics,
                Clock.systemUTC()), new LoopSupervisor.Policy(Duration.ofMillis(500), Duration.ofSeconds(5), 30),
                metrics, d -> Thread.sleep(d.toMillis()), System::exit, Clock.systemUTC());
        Thread loop = new Thread(supervisor, "varshift-agent-loop");
        if (args.length > 7) {
            Properties a = new Properties();
            a.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            AgentService.applyAdminDefaults(a);
            BrokerCheck broker = new BrokerCheck(Admin.create(a), Duration.ofSeconds(2), Duration.ofSeconds(2),
                    Clock.systemUTC());
            serveHealth(Integer.parseInt(args[7]), new AgentHealthState(supervisor, broker, Duration.ofSeconds(60),
                    loop::isAlive));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            supervisor.stop();
            try {
                loop.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        loop.start();
    }

    private static Properties consumerProperties(String bootstrap, String group, boolean fleet) {
        Properties c = new Properties();
        c.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // A killed member is noticed after the session timeout; the broker's minimum keeps the test short.
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000", ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000"));
        AgentService.applyFetchDefaults(c);
        AgentService.applyConsumerTimeoutDefaults(c);
        if (fleet) {
            AgentService.applyFleetConsumerDefaults(c);
        }
        return c;
    }

    private static void serveHealth(int port, AgentHealthState health) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/q/health/live", e -> answer(e, health.live(), health.liveData()));
        server.createContext("/q/health/ready", e -> answer(e, health.ready(), health.readyData()));
        server.start();
    }

    private static void answer(HttpExchange exchange, boolean up, Map<String, Object> data) throws IOException {
        byte[] body = ("{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"data\":\"" + data.toString().replace('"', '\'')
                + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(up ? 200 : 503, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
