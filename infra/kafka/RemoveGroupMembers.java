import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;

/**
 * Makes the group coordinator forget every member of a consumer group, as it does when their
 * sessions expire, so tests can check that a consumer which lost its membership rejoins.
 * Usage: java -cp 'libs/*' RemoveGroupMembers.java BOOTSTRAP GROUP
 */
public class RemoveGroupMembers {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: RemoveGroupMembers BOOTSTRAP GROUP");
      System.exit(2);
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(props)) {
      admin.removeMembersFromConsumerGroup(args[1], new RemoveMembersFromConsumerGroupOptions()).all().get();
    }
    System.out.println("removed the members of " + args[1]);
  }
}
