using System.Text;
using Registry.Core.Instances;

namespace Registry.Core.Tests.Instances;

// Real-world znode data as Curator, Spring Cloud Zookeeper and Registry itself write it.
public class ServiceInstanceCodecDecodeTests
{
    private const string CuratorUriSpec =
        """{"parts":[{"value":"scheme","variable":true},{"value":"://","variable":false},{"value":"address","variable":true},{"value":":","variable":false},{"value":"port","variable":true}]}""";

    // Curator 5.x JsonInstanceSerializer with a typed payload class: Jackson adds "@class".
    private const string CuratorJacksonClassPayload =
        """{"name":"web","id":"0a6f1b4e-7c1d-4e8a-9f3b-2d5c6e7f8a90","address":"10.1.2.3","port":8080,"sslPort":8443,"payload":{"@class":"com.example.discovery.InstanceDetails","description":"web frontend","priority":5},"registrationTimeUTC":1700000000123,"serviceType":"DYNAMIC","uriSpec":""" + CuratorUriSpec + ""","enabled":true}""";

    // Curator 4.x (before "enabled"), ServiceInstance<Void>: payload null, sslPort null, uriSpec null.
    private const string CuratorNullPayload =
        """{"name":"orders","id":"orders-1","address":"192.168.0.10","port":9000,"sslPort":null,"payload":null,"registrationTimeUTC":1650000000000,"serviceType":"STATIC","uriSpec":null}""";

    // Curator ServiceInstance<String>.
    private const string CuratorStringPayload =
        """{"name":"billing","id":"b7","address":"10.9.8.7","port":7000,"sslPort":null,"payload":"rack=r1;zone=eu-1","registrationTimeUTC":1690000000000,"serviceType":"PERMANENT","uriSpec":null,"enabled":true}""";

    // Spring Cloud Zookeeper's ZookeeperServiceRegistry after /actuator/service-registry set OUT_OF_SERVICE.
    private const string SpringCloudOutOfService =
        """{"name":"testZookeeperApp","id":"bb9c4e8b-3d5a-4f41-9c0c-9f7e1b0c2a11","address":"192.168.1.4","port":8080,"sslPort":null,"payload":{"@class":"org.springframework.cloud.zookeeper.discovery.ZookeeperInstance","id":"testZookeeperApp-1","name":"testZookeeperApp","metadata":{"instance_status":"OUT_OF_SERVICE","version":"1.4.2"}},"registrationTimeUTC":1572000000000,"serviceType":"DYNAMIC","uriSpec":""" + CuratorUriSpec + "}";

    private const string SpringCloudUp =
        """{"name":"testZookeeperApp","id":"bb9c4e8b-3d5a-4f41-9c0c-9f7e1b0c2a11","address":"192.168.1.4","port":8080,"sslPort":null,"payload":{"@class":"org.springframework.cloud.zookeeper.discovery.ZookeeperInstance","id":"testZookeeperApp-1","name":"testZookeeperApp","metadata":{"instance_status":"UP"}},"registrationTimeUTC":1572000000000,"serviceType":"DYNAMIC","uriSpec":""" + CuratorUriSpec + "}";

    // Registry's own registration with every payload field set.
    private const string RegistryFullPayload =
        """{"name":"web","id":"i1","address":"2001:db8::10","port":8080,"sslPort":8443,"payload":{"priority":20,"weight":30,"protocol":"UDP","hostname":"AP1.Hosts.SVC.Example","ports":{"http":8080,"admin":9090},"status":"draining","metadata":{"version":"2.1","az":"b"}},"registrationTimeUTC":1700000000000,"serviceType":"DYNAMIC","uriSpec":null,"enabled":true}""";

    private static InstanceDecodeResult Decode(string json, string service = "web", string id = "i1", ZnodeSource? source = null) =>
        ServiceInstanceCodec.Decode(Encoding.UTF8.GetBytes(json), service, id, source);

    private static ServiceInstance DecodeOk(string json, string service = "web", string id = "i1", ZnodeSource? source = null)
    {
        var result = Decode(json, service, id, source);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Null(result.Error);
        return result.Instance!;
    }

    [Fact]
    public void Curator_payload_with_jackson_class_property()
    {
        var source = new ZnodeSource("/services/web/0a6f1b4e-7c1d-4e8a-9f3b-2d5c6e7f8a90", 0x1234, 10, 11);
        var instance = DecodeOk(CuratorJacksonClassPayload, "web", "0a6f1b4e-7c1d-4e8a-9f3b-2d5c6e7f8a90", source);

        Assert.Equal("web", instance.Service.Value);
        Assert.Equal("0a6f1b4e-7c1d-4e8a-9f3b-2d5c6e7f8a90", instance.Id);
        Assert.Equal("10.1.2.3", instance.Address);
        Assert.Equal(8080, instance.Port);
        Assert.Equal(8443, instance.SslPort);
        Assert.Equal(5, instance.Priority);
        Assert.Null(instance.Weight);
        Assert.Equal("tcp", instance.Protocol);
        Assert.Null(instance.Hostname);
        Assert.Empty(instance.Ports);
        Assert.Empty(instance.Metadata);
        Assert.Equal(InstanceStatus.Up, instance.Status);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000123), instance.RegisteredAt);
        Assert.Equal("DYNAMIC", instance.ServiceType);
        Assert.Equal(CuratorUriSpec, instance.UriSpec);
        Assert.Same(source, instance.Source);
    }

    [Fact]
    public void Curator_payload_with_jackson_wrapper_array()
    {
        const string json =
            """{"name":"web","id":"i1","address":"10.0.0.1","port":80,"payload":["com.example.Payload",{"weight":20,"protocol":"UDP"}],"serviceType":"DYNAMIC"}""";

        var instance = DecodeOk(json);

        Assert.Equal(20, instance.Weight);
        Assert.Equal("udp", instance.Protocol);
    }

    [Fact]
    public void Curator_wrapper_array_around_a_string_payload()
    {
        var instance = DecodeOk("""{"address":"10.0.0.1","payload":["java.lang.String","hello"]}""");

        Assert.Equal("hello", instance.Metadata["payload"]);
    }

    [Fact]
    public void Curator_null_payload()
    {
        var instance = DecodeOk(CuratorNullPayload, "orders", "orders-1");

        Assert.Equal("orders", instance.Service.Value);
        Assert.Equal("192.168.0.10", instance.Address);
        Assert.Equal(9000, instance.Port);
        Assert.Null(instance.SslPort);
        Assert.Null(instance.Priority);
        Assert.Null(instance.Weight);
        Assert.Empty(instance.Metadata);
        Assert.Equal(InstanceStatus.Up, instance.Status);
        Assert.Equal("STATIC", instance.ServiceType);
        Assert.Null(instance.UriSpec);
    }

    [Fact]
    public void Curator_string_payload_goes_to_metadata()
    {
        var instance = DecodeOk(CuratorStringPayload, "billing", "b7");

        Assert.Equal("rack=r1;zone=eu-1", Assert.Single(instance.Metadata, kv => kv.Key == "payload").Value);
        Assert.Equal("PERMANENT", instance.ServiceType);
        Assert.Null(instance.Priority);
    }

    [Theory]
    [InlineData("42", "42")]
    [InlineData("true", "true")]
    public void Curator_scalar_payload_keeps_its_json_text(string payload, string expected)
    {
        var instance = DecodeOk($$"""{"address":"10.0.0.1","payload":{{payload}}}""");

        Assert.Equal(expected, instance.Metadata["payload"]);
    }

    [Fact]
    public void Spring_cloud_zookeeper_out_of_service()
    {
        var instance = DecodeOk(SpringCloudOutOfService, "testZookeeperApp", "bb9c4e8b-3d5a-4f41-9c0c-9f7e1b0c2a11");

        Assert.Equal(InstanceStatus.OutOfService, instance.Status);
        Assert.True(instance.IsDrained);
        Assert.Equal("OUT_OF_SERVICE", instance.Metadata["instance_status"]);
        Assert.Equal("1.4.2", instance.Metadata["version"]);
        Assert.Equal(8080, instance.Port);
    }

    [Fact]
    public void Spring_cloud_zookeeper_up()
    {
        var instance = DecodeOk(SpringCloudUp, "testZookeeperApp", "bb9c4e8b-3d5a-4f41-9c0c-9f7e1b0c2a11");

        Assert.Equal(InstanceStatus.Up, instance.Status);
        Assert.Equal("UP", instance.Metadata["instance_status"]);
    }

    [Fact]
    public void Spring_instance_status_on_the_payload_itself()
    {
        var instance = DecodeOk("""{"address":"10.0.0.1","payload":{"@class":"x","instance_status":"out_of_service","metadata":{}}}""");

        Assert.Equal(InstanceStatus.OutOfService, instance.Status);
    }

    [Fact]
    public void Registry_status_beats_spring_instance_status()
    {
        var instance = DecodeOk("""{"address":"10.0.0.1","payload":{"status":"DRAINING","metadata":{"instance_status":"OUT_OF_SERVICE"}}}""");

        Assert.Equal(InstanceStatus.Draining, instance.Status);
    }

    [Fact]
    public void Registry_full_payload()
    {
        var instance = DecodeOk(RegistryFullPayload);

        Assert.Equal("2001:db8::10", instance.Address);
        Assert.Equal(20, instance.Priority);
        Assert.Equal(30, instance.Weight);
        Assert.Equal("udp", instance.Protocol);
        Assert.Equal("ap1.hosts.svc.example.", instance.Hostname);
        Assert.Equal(2, instance.Ports.Count);
        Assert.Equal(8080, instance.Ports["http"]);
        Assert.Equal(9090, instance.Ports["ADMIN"]);
        Assert.Equal(InstanceStatus.Draining, instance.Status);
        Assert.Equal(new Dictionary<string, string> { ["version"] = "2.1", ["az"] = "b" }, instance.Metadata);
    }

    [Fact]
    public void Enabled_false_means_out_of_service_whatever_the_payload_says()
    {
        var instance = DecodeOk("""{"address":"10.0.0.1","payload":{"status":"UP"},"enabled":false}""");

        Assert.Equal(InstanceStatus.OutOfService, instance.Status);
    }

    [Fact]
    public void Name_compares_case_insensitively_and_the_path_spelling_is_kept()
    {
        var instance = DecodeOk("""{"name":"WEB","address":"10.0.0.1"}""", service: "Web");

        Assert.Equal("Web", instance.Service.Value);
    }

    [Fact]
    public void Absent_name_and_id_take_the_path()
    {
        var instance = DecodeOk("""{"address":"10.0.0.1"}""", "api", "node-7");

        Assert.Equal("api", instance.Service.Value);
        Assert.Equal("node-7", instance.Id);
        Assert.Equal("DYNAMIC", instance.ServiceType);
        Assert.Null(instance.RegisteredAt);
    }

    [Fact]
    public void Hostname_without_address()
    {
        var instance = DecodeOk("""{"payload":{"hostname":"db1.example.com."}}""");

        Assert.Null(instance.Address);
        Assert.Equal("db1.example.com.", instance.Hostname);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("2001:db8::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("host-1.example.com")]
    [InlineData("host-1.example.com.")]
    [InlineData("localhost")]
    public void Valid_addresses(string address)
    {
        var instance = DecodeOk($$"""{"address":"{{address}}"}""");

        Assert.Equal(address, instance.Address);
    }

    [Fact]
    public void Empty_address_counts_as_absent_when_a_hostname_is_given()
    {
        var instance = DecodeOk("""{"address":"","payload":{"hostname":"h.example"}}""");

        Assert.Null(instance.Address);
    }

    [Fact]
    public void Dynamic_sequential_znode_name_carries_the_sequence_suffix()
    {
        // Curator creates DYNAMIC_SEQUENTIAL as EPHEMERAL_SEQUENTIAL: the znode is the id plus a ten-digit counter.
        var instance = DecodeOk("""{"id":"worker","address":"10.0.0.1","serviceType":"DYNAMIC_SEQUENTIAL"}""", id: "worker0000000042");

        Assert.Equal("worker0000000042", instance.Id);
        Assert.Equal("DYNAMIC_SEQUENTIAL", instance.ServiceType);
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        const string json =
            """{"name":"web","address":"10.0.0.1","futureField":{"a":[1,2,3]},"payload":{"@class":"x","futurePayloadField":true,"weight":3}}""";

        Assert.Equal(3, DecodeOk(json).Weight);
    }

    [Fact]
    public void Non_string_metadata_values_keep_their_json_text()
    {
        var instance = DecodeOk("""{"address":"10.0.0.1","payload":{"metadata":{"n":12,"b":true,"o":{"x":[1,2]},"z":null,"s":"text"}}}""");

        Assert.Equal("12", instance.Metadata["n"]);
        Assert.Equal("true", instance.Metadata["b"]);
        Assert.Equal("""{"x":[1,2]}""", instance.Metadata["o"]);
        Assert.Equal("null", instance.Metadata["z"]);
        Assert.Equal("text", instance.Metadata["s"]);
    }

    [Fact]
    public void Null_fields_mean_unset()
    {
        var instance = DecodeOk(
            """{"name":null,"id":null,"address":"10.0.0.1","port":null,"registrationTimeUTC":null,"serviceType":null,"enabled":null,"payload":{"priority":null,"weight":null,"protocol":null,"hostname":null,"ports":null,"status":null,"metadata":null}}""");

        Assert.Null(instance.Port);
        Assert.Null(instance.Priority);
        Assert.Equal("tcp", instance.Protocol);
        Assert.Equal(InstanceStatus.Up, instance.Status);
        Assert.Equal("DYNAMIC", instance.ServiceType);
    }

    [Fact]
    public void Byte_order_mark_is_skipped()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"address":"10.0.0.1"}""")).ToArray();

        Assert.True(ServiceInstanceCodec.Decode(bytes, "web", "i1", null).IsSuccess);
    }

    [Fact]
    public void Edge_values_are_accepted()
    {
        var instance = DecodeOk("""{"address":"10.0.0.1","port":65535,"sslPort":1,"payload":{"priority":0,"weight":65535,"ports":{"a":1}}}""");

        Assert.Equal(65535, instance.Port);
        Assert.Equal(1, instance.SslPort);
        Assert.Equal(0, instance.Priority);
        Assert.Equal(65535, instance.Weight);
    }
}
