using System.Reflection;
using System.Runtime.Loader;

namespace Rill.Runtime.Artifacts;

/// <summary>
/// Loads one uploaded application with its own dependencies, isolated from the cluster and from other applications
/// (Flink's user-code class loader), and can be unloaded when its job is gone.
/// </summary>
/// <remarks>
/// Rill's own assemblies, and any assembly the cluster has already loaded, are the cluster's copies (parent-first, as
/// Flink does for its own classes): the cluster and the application must see the very same
/// <c>StreamExecutionEnvironment</c>, <c>StreamGraph</c>… types, or the cluster could not use the graph the program
/// builds. Everything else comes from the application's build output, as its deps.json says, and the framework from
/// the default context.
/// </remarks>
public sealed class ApplicationLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    /// <param name="entryAssemblyPath">The application's main dll; its deps.json says where the dependencies are.</param>
    public ApplicationLoadContext(string entryAssemblyPath)
        : base($"Rill application {Path.GetFileNameWithoutExtension(entryAssemblyPath)}", isCollectible: true)
    {
        _resolver = new AssemblyDependencyResolver(entryAssemblyPath);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { } name)
        {
            return null;
        }

        // The loaded instance itself rather than null (a fallback to the default context): the fallback would bind by
        // version and fail for an application built against a newer patch release of Rill than the cluster's, which
        // the artifact validation accepts.
        if (LoadedByDefault(name) is { } shared)
        {
            return shared;
        }

        // Rill's libraries, and the framework abstractions Rill's own signatures use (dependency injection, configuration,
        // logging, hosting, ASP.NET Core), are the cluster's even before it loaded them: an application that brings its own
        // copy of Microsoft.Extensions.* (through OpenTelemetry, say) would otherwise call into Rill with types of another
        // assembly and find no such method.
        if (name.StartsWith("Rill.", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("Microsoft.Extensions.", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("Microsoft.AspNetCore.", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return Default.LoadFromAssemblyName(new AssemblyName(name));
            }
            catch (FileNotFoundException)
            {
                // Not the cluster's (a connector, a package the cluster does not use): the application's copy is the only one.
            }
        }

        // Null for what the application does not ship (the framework): the default context provides it.
        return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

    private static Assembly? LoadedByDefault(string name) =>
        Default.Assemblies.FirstOrDefault(loaded => string.Equals(loaded.GetName().Name, name, StringComparison.OrdinalIgnoreCase));
}
