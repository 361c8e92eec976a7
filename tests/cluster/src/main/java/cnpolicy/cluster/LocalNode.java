package cnpolicy.cluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node in this JVM, for cnpolicy's tests: the server jar with the Netty4 HTTP
 * transport, the common analysis and the reindex (delete by query) modules as classpath
 * plugins, security off.
 *
 * <p>Usage: {@code java -cp ... cnpolicy.cluster.LocalNode READY_FILE key=value...}, the pairs
 * being OpenSearch settings (path.home, path.data, http.port, discovery...). Once the node has
 * started, its HTTP address ({@code http://host:port}) is written to READY_FILE (atomically);
 * the node stops on SIGTERM.
 */
public final class LocalNode extends Node {

    private LocalNode(Environment environment) {
        super(environment, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, ReindexPlugin.class), true);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: LocalNode READY_FILE [setting=value ...]");
            System.exit(2);
        }
        Path ready = Path.of(args[0]);
        Settings.Builder builder = Settings.builder();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("not a setting=value pair: " + args[i]);
                System.exit(2);
            }
            builder.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Settings settings = builder.build();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), null, () -> settings.get("node.name"));
        LocalNode node = new LocalNode(environment);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception error) {
                error.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }));
        node.start();
        HttpServerTransport http = node.injector().getInstance(HttpServerTransport.class);
        String url = "http://" + http.boundAddress().publishAddress() + "\n";
        Path partial = ready.resolveSibling(ready.getFileName() + ".part");
        Files.writeString(partial, url, StandardCharsets.UTF_8);
        Files.move(partial, ready, StandardCopyOption.ATOMIC_MOVE);
        stopped.await();
    }
}
