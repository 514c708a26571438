package io.varshift.trainer.cli;

import io.quarkus.runtime.Quarkus;
import io.varshift.trainer.remediation.RemediationController;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Keep the REST jobs API up (default port 8081) until the process is stopped; with"
                + " varshift.trainer.remediation.enabled=true also run the remediation loop.")
class ServeCommand implements Callable<Integer> {

    private final RemediationController remediation;

    ServeCommand(RemediationController remediation) {
        this.remediation = remediation;
    }

    @Override
    public Integer call() {
        if (remediation.enabled()) {
            remediation.start();
        }
        Quarkus.waitForExit();
        return 0;
    }
}
