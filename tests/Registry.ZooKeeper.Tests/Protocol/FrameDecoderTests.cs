using System.Buffers;
using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Tests.Protocol;

public class FrameDecoderTests
{
    /// <summary>Three frames (empty, small, larger) back to back.</summary>
    private static readonly byte[] Stream = Convert.FromHexString(
        "00000000" + "00000003aabbcc" + "00000010" + "000102030405060708090a0b0c0d0e0f");

    private static readonly byte[][] Expected = [[], [0xaa, 0xbb, 0xcc], Enumerable.Range(0, 16).Select(i => (byte)i).ToArray()];

    [Fact]
    public void The_stream_split_at_every_byte_boundary_yields_the_same_frames()
    {
        for (var split = 0; split <= Stream.Length; split++)
        {
            var frames = new List<byte[]>();
            var pending = Array.Empty<byte>();
            foreach (var chunk in new[] { Stream[..split], Stream[split..] })
            {
                pending = [.. pending, .. chunk];
                var sequence = new ReadOnlySequence<byte>(pending);
                while (FrameDecoder.TryReadFrame(ref sequence, 1024, out var frame))
                {
                    frames.Add(frame.ToArray());
                }

                pending = sequence.ToArray();
            }

            Assert.Equal(Expected, frames);
            Assert.Empty(pending);
        }
    }

    [Fact]
    public void Frames_spanning_segments_are_read_whole()
    {
        // One segment per byte: the worst fragmentation a pipe can produce.
        var sequence = Segments.Of(Stream.Select(b => new[] { b }));
        var frames = new List<byte[]>();
        while (FrameDecoder.TryReadFrame(ref sequence, 1024, out var frame))
        {
            frames.Add(frame.ToArray());
        }

        Assert.Equal(Expected, frames);
    }

    [Theory]
    [InlineData("ffffffff")]
    [InlineData("00000401")]
    public void Negative_or_oversized_lengths_are_rejected(string prefix)
    {
        var sequence = new ReadOnlySequence<byte>(Convert.FromHexString(prefix));
        var ex = Assert.Throws<InvalidDataException>(() => FrameDecoder.TryReadFrame(ref sequence, 1024, out _));
        Assert.Contains("outside 0..1024", ex.Message, StringComparison.Ordinal);
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Of(IEnumerable<byte[]> chunks)
        {
            Segments? first = null, last = null;
            foreach (var chunk in chunks)
            {
                var segment = new Segments(chunk, last is null ? 0 : last.RunningIndex + last.Memory.Length);
                if (last is null)
                {
                    first = segment;
                }
                else
                {
                    last.Next = segment;
                }

                last = segment;
            }

            return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
        }
    }
}
