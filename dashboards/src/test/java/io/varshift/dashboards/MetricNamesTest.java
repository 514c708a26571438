package io.varshift.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricNamesTest {

    @Test
    void findsTheMetricInsideAggregationAndRate() {
        assertThat(MetricNames.in("sum by (model, le) (rate(varshift_forward_seconds_bucket{model=~\"$model\"}[1m]))"))
                .containsExactly("varshift_forward_seconds_bucket");
    }

    @Test
    void ignoresLabelNamesValuesFunctionsKeywordsAndNumbers() {
        assertThat(MetricNames.in("histogram_quantile(0.99, sum without (instance) (a_total{job=\"b_c\"} offset 5m)) "
                + "> bool 1e-3 and on (model) group_left (version) c:d:e or vector(1)"))
                .containsExactly("a_total", "c:d:e");
    }

    @Test
    void findsBothSidesOfABinaryOperator() {
        assertThat(MetricNames.in("varshift_consumer_lag_records > 10000 and deriv(varshift_consumer_lag_records[10m]) > 0"))
                .containsExactly("varshift_consumer_lag_records");
        assertThat(MetricNames.in("sum(rate(x_total[5m])) / (sum(rate(x_total[5m])) + (sum(rate(y_total[5m])) or vector(0)))"))
                .containsExactly("x_total", "y_total");
    }

    @Test
    void findsAMetricWhoseNameStartsLikeAKeywordOrHoldsDigits() {
        assertThat(MetricNames.in("order_total + by2_seconds * 60")).containsExactly("order_total", "by2_seconds");
    }

    @Test
    void recordedNamesAreThoseWithAColon() {
        assertThat(MetricNames.isRecorded("model:varshift_records_consumed:rate1m")).isTrue();
        assertThat(MetricNames.isRecorded("varshift_records_consumed_total")).isFalse();
    }
}
