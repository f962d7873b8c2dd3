using Heck.Membership.Swim;
using Heck.Membership.Wire;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Heck.Tests.Membership;

/// <summary>Random and mutated packets: the decoder never throws and counts every packet exactly once.</summary>
[Trait("Category", "Slow")]
public class DecoderFuzzTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false, 300_000)]
    [InlineData(true, 100_000)]
    public void No_input_escapes_as_an_exception_and_every_packet_is_counted(bool encrypted, int packets)
    {
        const int seed = 20_251_123;
        var random = new Random(seed + (encrypted ? 1 : 0));
        var keyring = encrypted ? new Keyring([new byte[32]]) : null;
        var codec = new SwimCodec(keyring, null, new FakeTimeProvider());
        var valid = CodecTests.Samples().Select(m => codec.Encode(m, 1 << 16)!).ToArray();
        var buffer = new byte[2048];
        var accepted = 0;
        for (var i = 0; i < packets; i++)
        {
            int length;
            switch (i % 4)
            {
                case 0: // pure noise, sometimes with a plausible header
                    length = random.Next(0, 1600);
                    random.NextBytes(buffer.AsSpan(0, length));
                    if (length > 1 && random.Next(2) == 0) { buffer[0] = SwimCodec.Version; buffer[1] = encrypted ? (byte)1 : (byte)0; }
                    break;
                default: // a valid packet with a few flipped, inserted or cut bytes
                    var source = valid[random.Next(valid.Length)];
                    length = Math.Min(source.Length, buffer.Length);
                    source.AsSpan(0, length).CopyTo(buffer);
                    for (var flips = random.Next(1, 4); flips > 0 && length > 0; flips--)
                        buffer[random.Next(length)] = (byte)random.Next(256);
                    if (random.Next(4) == 0) length = random.Next(0, length + 1);
                    else if (random.Next(8) == 0 && length < buffer.Length - 8) length += random.Next(1, 8);
                    break;
            }
            try
            {
                if (codec.TryDecode(buffer.AsSpan(0, length), out _, out _)) accepted++;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed} packet {i}: {e}\n{Convert.ToHexString(buffer.AsSpan(0, length))}");
            }
        }
        output.WriteLine($"{packets} packets: {codec.Counters}");
        Assert.Equal(packets, codec.Counters.Accepted + codec.Counters.TotalDropped);
        Assert.Equal(accepted, codec.Counters.Accepted);
    }
}
