package io.varshift.trainer;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.varshift.trainer.cli.TrainerCommand;
import jakarta.inject.Inject;
import picocli.CommandLine;

/**
 * Entry point: {@code train|import|report|adjust-bn|recalibrate|serve}. Only {@code serve} listens on the
 * configured HTTP port; the one-shot commands get a random port so that they never clash with a
 * running server.
 */
@QuarkusMain
public class TrainerMain implements QuarkusApplication {

    @Inject
    CommandLine.IFactory factory;

    public static void main(String... args) {
        boolean serve = args.length > 0 && "serve".equals(args[0]);
        if (!serve && System.getProperty("quarkus.http.port") == null) {
            System.setProperty("quarkus.http.port", "0");
        }
        Quarkus.run(TrainerMain.class, args);
    }

    @Override
    public int run(String... args) {
        return TrainerCommand.commandLine(factory).execute(args);
    }
}
