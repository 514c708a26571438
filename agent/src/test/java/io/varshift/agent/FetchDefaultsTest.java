package io.varshift.agent;

import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FetchDefaultsTest {

    @Test
    void imageSizedFetchesAreTheDefault() {
        Properties p = new Properties();
        AgentService.applyFetchDefaults(p);
        assertThat(p.getProperty(ConsumerConfig.RECEIVE_BUFFER_CONFIG)).isEqualTo("4194304");
        assertThat(p.getProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG)).isEqualTo("2097152");
    }

    @Test
    void anOperatorsKafkaSettingWins() {
        Properties p = new Properties();
        p.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, "-1");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "1048576");
        AgentService.applyFetchDefaults(p);
        assertThat(p.getProperty(ConsumerConfig.RECEIVE_BUFFER_CONFIG)).isEqualTo("-1");
        assertThat(p.getProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG)).isEqualTo("1048576");
    }
}
