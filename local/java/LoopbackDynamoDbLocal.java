import java.lang.reflect.Field;

/**
 * Starts DynamoDB Local listening on one host (127.0.0.1 by default) instead of every interface: its command
 * line has no such option, and its Jetty server binds the wildcard address. Compiled once by local/emulators.ts and
 * run with DynamoDBLocal.jar and its libraries on the class path; the arguments are DynamoDB Local's own, after the host.
 * Reflection only, so it compiles against nothing but the JDK.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    Object proxy = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner")
        .getMethod("createServerFromCommandLineArgs", String[].class)
        .invoke(null, (Object) rest);
    Field field = proxy.getClass().getDeclaredField("server");
    field.setAccessible(true);
    Object server = field.get(proxy);
    for (Object connector : (Object[]) server.getClass().getMethod("getConnectors").invoke(server)) {
      connector.getClass().getMethod("setHost", String.class).invoke(connector, host);
    }
    proxy.getClass().getMethod("start").invoke(proxy);
  }
}
