using Registry.ZooKeeper.Jute;

namespace Registry.ZooKeeper.Tests.Jute;

/// <summary>Hostile or corrupt input fails with JuteException, never with an over-allocation or an out-of-range read.</summary>
public class JuteReaderTests
{
    [Theory]
    [InlineData("0000", "truncated")]
    [InlineData("7fffffff", "claims")]
    [InlineData("fffffffe", "negative length")]
    public void Bad_string_lengths_are_rejected(string hex, string reason)
    {
        var ex = Assert.Throws<JuteException>(() =>
        {
            var reader = new JuteReader(Convert.FromHexString(hex));
            reader.ReadString();
        });
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vector_count_larger_than_the_frame_is_rejected_before_allocating()
    {
        var ex = Assert.Throws<JuteException>(() =>
        {
            var reader = new JuteReader(Convert.FromHexString("7fffffff00000000"));
            reader.ReadStringVector("children");
        });
        Assert.Contains("claims 2147483647 elements", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_stat_is_rejected()
    {
        var bytes = Convert.FromHexString(GoldenBytes.Stat)[..^1];
        Assert.Throws<JuteException>(() =>
        {
            var reader = new JuteReader(bytes);
            Stat.Read(ref reader);
        });
    }

    [Fact]
    public void Unknown_multi_result_type_is_rejected()
    {
        Assert.Throws<JuteException>(() =>
        {
            var reader = new JuteReader(Convert.FromHexString("0000006300000000000000"));
            MultiResponse.Read(ref reader);
        });
    }

    [Fact]
    public void Writer_grows_and_patches_frame_lengths()
    {
        var writer = new JuteWriter(16);
        var start = writer.BeginFrame();
        writer.WriteBuffer(new byte[100]);
        var length = writer.EndFrame(start);
        Assert.Equal(104, length);
        Assert.Equal("00000068", Convert.ToHexString(writer.WrittenSpan[..4]).ToLowerInvariant());
        Assert.Equal(108, writer.Length);
    }
}
