using System.Buffers.Binary;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Rill.Tests.Artifacts;

/// <summary>
/// Crafts applications built against "another Rill" by rewriting assembly versions in a built dll: a version is four
/// fixed-size fields of a metadata table row, so it can be changed in place without compiling anything.
/// </summary>
internal static class AssemblyPatcher
{
    /// <summary>A copy of <paramref name="image"/> whose reference to Rill.Core asks for <paramref name="version"/>.</summary>
    public static byte[] WithRillCoreReference(byte[] image, Version version)
    {
        var patched = Patch(image, version, metadata =>
        {
            var reference = metadata.AssemblyReferences.Single(h => metadata.GetString(metadata.GetAssemblyReference(h).Name) == "Rill.Core");
            return RowOffset(metadata, TableIndex.AssemblyRef, MetadataTokens.GetRowNumber(reference));
        });
        Assert.Equal(version, Read(patched, m => m.AssemblyReferences.Select(m.GetAssemblyReference).Single(r => m.GetString(r.Name) == "Rill.Core").Version));
        return patched;
    }

    /// <summary>A copy of <paramref name="image"/> that says it is version <paramref name="version"/> of itself.</summary>
    public static byte[] WithAssemblyVersion(byte[] image, Version version)
    {
        // The Assembly row starts with the 4-byte hash algorithm id, then the version.
        var patched = Patch(image, version, metadata => RowOffset(metadata, TableIndex.Assembly, 1) + 4);
        Assert.Equal(version, Read(patched, m => m.GetAssemblyDefinition().Version));
        return patched;
    }

    private static byte[] Patch(byte[] image, Version version, Func<MetadataReader, int> versionOffsetInMetadata)
    {
        int offset;
        using (var pe = new PEReader(new MemoryStream(image)))
        {
            offset = pe.PEHeaders.MetadataStartOffset + versionOffsetInMetadata(pe.GetMetadataReader());
        }

        var patched = (byte[])image.Clone();
        var fields = new[] { version.Major, version.Minor, Math.Max(version.Build, 0), Math.Max(version.Revision, 0) };
        for (var i = 0; i < fields.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(patched.AsSpan(offset + (2 * i)), checked((ushort)fields[i]));
        }

        return patched;
    }

    private static int RowOffset(MetadataReader metadata, TableIndex table, int rowNumber) =>
        metadata.GetTableMetadataOffset(table) + ((rowNumber - 1) * metadata.GetTableRowSize(table));

    private static T Read<T>(byte[] image, Func<MetadataReader, T> read)
    {
        using var pe = new PEReader(new MemoryStream(image));
        return read(pe.GetMetadataReader());
    }
}
