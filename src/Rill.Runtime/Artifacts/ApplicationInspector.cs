using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Rill.Api;

namespace Rill.Runtime.Artifacts;

/// <summary>The application found in an artifact: its main dll and the type holding its entry point.</summary>
internal sealed record InspectedApplication(string EntryAssemblyPath, string EntryPointType);

/// <summary>
/// Finds the application in an extracted build output and checks that this cluster can run it. It reads assembly
/// metadata only: validating an upload must never run user code, nor keep its files loaded (and, on Windows, locked).
/// </summary>
internal static class ApplicationInspector
{
    private const string RillCore = "Rill.Core";
    private const string RuntimeConfigSuffix = ".runtimeconfig.json";

    /// <summary>The Rill this process runs; applications share it, so they must be built against a compatible one.</summary>
    public static Version HostRillVersion { get; } = typeof(StreamExecutionEnvironment).Assembly.GetName().Version ?? new Version(0, 0);

    /// <exception cref="InvalidArtifactException">No usable application is there.</exception>
    public static InspectedApplication Inspect(string directory)
    {
        var root = ApplicationRoot(directory);

        // X.runtimeconfig.json next to X.dll is what makes X a runnable application rather than a library: the build
        // output also holds every dependency's dll, and a referenced executable project brings its own pair.
        var candidates = Directory.EnumerateFiles(root, "*" + RuntimeConfigSuffix)
            .Select(config => Path.Combine(root, Path.GetFileName(config)[..^RuntimeConfigSuffix.Length] + ".dll"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal)
            .Select(Read)
            .OfType<AssemblyFacts>()
            .ToList();
        if (candidates.Count == 0)
        {
            throw new InvalidArtifactException(
                "The zip contains no .NET application: upload the build output folder of one application (its X.dll next to X.runtimeconfig.json), " +
                "with the files at the top of the zip or inside a single top-level folder.");
        }

        var executables = candidates.Where(c => c.EntryPointType is not null).ToList();
        if (executables.Count == 0)
        {
            var names = string.Join(", ", candidates.Select(c => Path.GetFileName(c.Path)));
            var problem = candidates.Count == 1 ? $"{names} has no entry point" : $"None of {names} has an entry point";
            throw new InvalidArtifactException($"{problem}: build the application as an executable (<OutputType>Exe</OutputType>).");
        }

        var application = executables.Count == 1 ? executables[0] : TheOneNobodyReferences(executables);
        CheckRillCore(application, root);
        return new InspectedApplication(application.Path, application.EntryPointType!);
    }

    /// <summary>
    /// Rill types are shared between the cluster and the application (see <see cref="ApplicationLoadContext"/>), so an
    /// application built against another Rill could fail in any way at any time; only Major.Minor must match, as
    /// patch releases keep the API.
    /// </summary>
    /// <exception cref="InvalidArtifactException">The versions are incompatible.</exception>
    internal static void CheckCompatible(Version builtAgainst, Version host)
    {
        if (builtAgainst.Major != host.Major || builtAgainst.Minor != host.Minor)
        {
            throw new InvalidArtifactException(
                $"The application was built against Rill {builtAgainst.ToString(2)}, this cluster runs Rill {host.ToString(2)}: rebuild it against Rill {host.ToString(2)}.");
        }
    }

    /// <summary>Zipping a folder (rather than its contents) puts everything under one top-level folder.</summary>
    private static string ApplicationRoot(string directory)
    {
        var current = directory;
        if (!Directory.EnumerateFiles(current).Any() && Directory.GetDirectories(current) is [var only])
        {
            current = only;
        }

        return current;
    }

    /// <summary>
    /// A build output holds several executables when the application references another executable project; the
    /// application is the one that no other references.
    /// </summary>
    private static AssemblyFacts TheOneNobodyReferences(List<AssemblyFacts> executables)
    {
        var roots = executables
            .Where(e => !executables.Any(other => other.References.Contains(e.AssemblyName, StringComparer.OrdinalIgnoreCase)))
            .ToList();
        if (roots.Count == 1)
        {
            return roots[0];
        }

        var names = string.Join(", ", (roots.Count == 0 ? executables : roots).Select(e => Path.GetFileName(e.Path)));
        throw new InvalidArtifactException($"The zip contains several applications ({names}): upload the build output of one application.");
    }

    /// <summary>
    /// Checks what the application was compiled against (its reference) and the copy its build output ships (which
    /// also catches a Rill.Core that only a library of the application references).
    /// </summary>
    private static void CheckRillCore(AssemblyFacts application, string root)
    {
        var shipped = Read(Path.Combine(root, RillCore + ".dll"))?.Version;
        if (application.RillCoreReference is null && shipped is null)
        {
            throw new InvalidArtifactException(
                $"{Path.GetFileName(application.Path)} does not reference {RillCore}, so it defines no Rill job: add a reference to Rill and rebuild it.");
        }

        foreach (var version in new[] { application.RillCoreReference, shipped }.OfType<Version>())
        {
            CheckCompatible(version, HostRillVersion);
        }
    }

    /// <summary>What validation needs to know about one dll, or null when it is not a .NET assembly.</summary>
    private static AssemblyFacts? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var pe = new PEReader(File.OpenRead(path));
            if (!pe.HasMetadata)
            {
                return null;
            }

            var metadata = pe.GetMetadataReader();
            if (!metadata.IsAssembly)
            {
                return null;
            }

            var definition = metadata.GetAssemblyDefinition();
            var references = metadata.AssemblyReferences.Select(metadata.GetAssemblyReference).ToList();
            var rillCore = references
                .Where(r => string.Equals(metadata.GetString(r.Name), RillCore, StringComparison.OrdinalIgnoreCase))
                .Select(r => r.Version)
                .FirstOrDefault();
            return new AssemblyFacts(
                path,
                metadata.GetString(definition.Name),
                definition.Version,
                EntryPointType(pe, metadata),
                references.Select(r => metadata.GetString(r.Name)).ToList(),
                rillCore);
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }

    private static string? EntryPointType(PEReader pe, MetadataReader metadata)
    {
        var header = pe.PEHeaders.CorHeader;
        if (header is null || (header.Flags & CorFlags.NativeEntryPoint) != 0 || header.EntryPointTokenOrRelativeVirtualAddress == 0)
        {
            return null;
        }

        var handle = MetadataTokens.EntityHandle(header.EntryPointTokenOrRelativeVirtualAddress);
        return handle.Kind == HandleKind.MethodDefinition
            ? TypeName(metadata, metadata.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType())
            : null;
    }

    /// <summary>The name reflection uses (<c>Namespace.Outer+Inner</c>), so it can be passed back to <c>Assembly.GetType</c>.</summary>
    private static string TypeName(MetadataReader metadata, TypeDefinitionHandle handle)
    {
        var type = metadata.GetTypeDefinition(handle);
        var name = metadata.GetString(type.Name);
        if (type.GetDeclaringType() is { IsNil: false } declaring)
        {
            return TypeName(metadata, declaring) + "+" + name;
        }

        var ns = metadata.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private sealed record AssemblyFacts(
        string Path,
        string AssemblyName,
        Version Version,
        string? EntryPointType,
        IReadOnlyList<string> References,
        Version? RillCoreReference);
}
