// Starts Amazon's DynamoDB Local listening on 127.0.0.1 only. DynamoDB Local has no bind-address
// option (its Jetty connector listens on all interfaces), so this sets the connector's host before
// the server starts. Arguments are DynamoDB Local's own (-port, -inMemory, -dbPath, -sharedDb, ...).
// Run in source-file mode: java -cp "DynamoDBLocal.jar:DynamoDBLocal_lib/*" DynamoDbLocal.java ARGS
// With -exitWithParent (this launcher's own flag) it exits when its standard input closes, so a
// test process that dies without cleaning up does not leave a server behind.

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class DynamoDbLocal {
    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>();
        boolean exitWithParent = false;
        for (String arg : args) {
            if (arg.equals("-exitWithParent")) {
                exitWithParent = true;
            } else {
                rest.add(arg);
            }
        }
        if (exitWithParent) {
            Thread watchdog = new Thread(() -> {
                try {
                    while (System.in.read() != -1) {
                        // Input is ignored; only its end matters.
                    }
                } catch (Exception e) {
                    // A broken pipe means the parent is gone too.
                }
                System.exit(0);
            });
            watchdog.setDaemon(true);
            watchdog.start();
        }
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(rest.toArray(new String[0]));
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server jetty = (Server) field.get(proxy);
        int bound = 0;
        for (Connector connector : jetty.getConnectors()) {
            if (connector instanceof ServerConnector) {
                ((ServerConnector) connector).setHost("127.0.0.1");
                bound++;
            }
        }
        if (bound == 0) {
            throw new IllegalStateException("no connector to bind to 127.0.0.1");
        }
        proxy.start();
        System.out.println("DynamoDB Local listening on 127.0.0.1");
        proxy.join();
    }
}
