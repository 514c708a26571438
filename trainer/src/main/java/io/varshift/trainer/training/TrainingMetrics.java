package io.varshift.trainer.training;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Per-epoch training gauges: varshift_trainer_epoch_loss{model}, varshift_trainer_epoch_accuracy{model}
 * (training accuracy of the last finished epoch) and varshift_trainer_device_info{device} = 1.
 */
public final class TrainingMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicReference<Double>> values = new ConcurrentHashMap<>();

    public TrainingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void device(String device) {
        gauge("varshift_trainer_device_info", Tags.of("device", device), "device the trainer runs on (value 1)")
                .set(1.0);
    }

    void epoch(String model, double loss, double accuracy) {
        gauge("varshift_trainer_epoch_loss", Tags.of("model", model), "mean training loss of the last epoch")
                .set(loss);
        gauge("varshift_trainer_epoch_accuracy", Tags.of("model", model), "training accuracy of the last epoch")
                .set(accuracy);
    }

    private AtomicReference<Double> gauge(String name, Tags tags, String help) {
        return values.computeIfAbsent(name + tags, k -> {
            AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
            Gauge.builder(name, holder, AtomicReference::get).tags(tags).description(help).register(registry);
            return holder;
        });
    }
}
