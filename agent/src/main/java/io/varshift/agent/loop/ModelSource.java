package io.varshift.agent.loop;

import java.util.List;
import java.util.Set;

/** Where the loop gets model versions from: the model store, watched for new versions. */
public interface ModelSource {

    /** Names of the models this agent watches. */
    Set<String> names();

    /**
     * Loads every watched model's newest version that was not returned before. Called on the loop
     * thread; versions that fail verification are refused (logged and counted) and not returned.
     */
    List<MonitoredModel> poll();
}
