using System.Security.Cryptography;

namespace Heck.Membership.Wire;

/// <summary>
/// Shared AES-GCM keys (16, 24 or 32 bytes). The first key encrypts; every key is tried to decrypt, so a
/// key is rotated by deploying [new, old] everywhere, then [new] (memberlist's keyring procedure).
/// </summary>
public sealed class Keyring : IDisposable
{
    public const int NonceSize = 12;
    public const int TagSize = 16;

    private readonly AesGcm[] _ciphers;
    private readonly Lock _gate = new(); // AesGcm instances are not documented as thread-safe

    public Keyring(IEnumerable<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToList();
        if (list.Count == 0) throw new ArgumentException("A keyring needs at least one key.", nameof(keys));
        foreach (var key in list)
        {
            if (key is null || key.Length is not (16 or 24 or 32))
                throw new ArgumentException("Every key must be 16, 24 or 32 bytes (AES-128/192/256).", nameof(keys));
        }
        _ciphers = [.. list.Select(k => new AesGcm(k, TagSize))];
    }

    /// <summary>Keys in base64 (the form of <c>Heck:Swim:Keys</c>); throws <see cref="FormatException"/> or <see cref="ArgumentException"/>.</summary>
    public static Keyring FromBase64(IEnumerable<string> keys) => new(keys.Select(Convert.FromBase64String));

    public int Count => _ciphers.Length;

    /// <summary>Encrypts <paramref name="plaintext"/> in place with the primary key; random nonce.</summary>
    internal void Encrypt(ReadOnlySpan<byte> associatedData, Span<byte> nonce, Span<byte> plaintext, Span<byte> tag)
    {
        RandomNumberGenerator.Fill(nonce);
        lock (_gate) _ciphers[0].Encrypt(nonce, plaintext, plaintext, tag, associatedData);
    }

    internal bool TryDecrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        lock (_gate)
        {
            foreach (var cipher in _ciphers)
            {
                try
                {
                    cipher.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
                    return true;
                }
                catch (CryptographicException)
                {
                    // try the next key
                }
            }
        }
        return false;
    }

    public void Dispose()
    {
        foreach (var c in _ciphers) c.Dispose();
    }
}
