package io.varshift.dashboards;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names the agent documents (operations guide, "Metrics") and a small PromQL scanner that
 * finds the metric names an expression reads. The scanner knows just enough PromQL for our files:
 * strings, label matchers, range and subquery brackets, grouping clauses, functions and keywords.
 */
final class MetricNames {

    /** Exported by the agent; the timer adds {@code _bucket}, {@code _count} and {@code _sum}. */
    static final Set<String> DOCUMENTED = Set.of(
            "varshift_layer_variance_ratio",
            "varshift_layer_variance_shift",
            "varshift_layer_channel_shift_max",
            "varshift_layer_mean_shift",
            "varshift_layer_drift_score",
            "varshift_layer_drift_threshold",
            "varshift_layer_alarm_state",
            "varshift_alarm_transitions_total",
            "varshift_model_drift_score",
            "varshift_model_drift_threshold",
            "varshift_model_alarm_state",
            "varshift_model_prediction_mix_score",
            "varshift_model_prediction_mix_alarm_state",
            "varshift_model_sequential_statistic",
            "varshift_model_sequential_threshold",
            "varshift_model_alarm_transitions_total",
            "varshift_windows_unjudged_total",
            "varshift_records_consumed_total",
            "varshift_records_rejected_total",
            "varshift_records_sampled_out_total",
            "varshift_windows_closed_total",
            "varshift_forward_seconds_bucket",
            "varshift_forward_seconds_count",
            "varshift_forward_seconds_sum",
            "varshift_consumer_lag_records",
            "varshift_model_reloads_total",
            "varshift_dead_letters_truncated_total",
            "varshift_loop_restarts_total");

    /** Series Prometheus itself writes: the scrape health and the alert state. */
    static final Set<String> PROMETHEUS_BUILT_IN = Set.of("up", "ALERTS", "ALERTS_FOR_STATE");

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "atan2", "inf", "nan");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern BRACES = Pattern.compile("\\{[^}]*}");
    private static final Pattern BRACKETS = Pattern.compile("\\[[^]]*]");
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z0-9_:])(?:0x[0-9a-fA-F]+|\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?(?:(?:ms|[smhdwy])\\d*)*)");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

    private MetricNames() {
    }

    /** Metric names read by a PromQL expression, in order of appearance. */
    static Set<String> in(String expr) {
        String s = STRING.matcher(expr).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        s = BRACES.matcher(s).replaceAll(" ");
        s = BRACKETS.matcher(s).replaceAll(" ");
        s = NUMBER.matcher(s).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String name = m.group();
            boolean function = s.substring(m.end()).stripLeading().startsWith("(");
            if (!function && !KEYWORDS.contains(name.toLowerCase())) {
                names.add(name);
            }
        }
        return names;
    }

    /** True for a recording rule's name ({@code level:metric:operations} always holds a colon). */
    static boolean isRecorded(String name) {
        return name.indexOf(':') >= 0;
    }
}
