using System.Text.Json;

namespace Rill.Kubernetes.Manifest;

/// <summary>
/// Reads <c>aspire-manifest.json</c> (Aspire's manifest format: <c>resources</c> keyed by name, each with a versioned
/// <c>type</c>). Fields the generator has no use for (<c>deployment</c>, <c>build</c>, <c>$schema</c>) are ignored; a
/// resource type it does not know is an error rather than a silently missing workload.
/// </summary>
public static class AspireManifestReader
{
    public static AspireManifest Read(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ManifestException($"the manifest '{path}' does not exist (generate it with: dotnet run --project AppHost -- --publisher manifest --output-path ../aspire-manifest.json).", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException($"the manifest '{path}' cannot be read: {e.Message}", e);
        }

        return Parse(json, path);
    }

    /// <param name="json">The manifest's text.</param>
    /// <param name="source">Where it came from, for messages.</param>
    public static AspireManifest Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ManifestException($"the manifest '{source}' is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("resources", out var resources)
                || resources.ValueKind != JsonValueKind.Object)
            {
                throw new ManifestException($"the manifest '{source}' has no \"resources\" object; is it an Aspire manifest?");
            }

            var list = new List<ManifestResource>();
            foreach (var entry in resources.EnumerateObject())
            {
                if (list.Any(existing => string.Equals(existing.Name, entry.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new ManifestException($"the manifest '{source}' names resource '{entry.Name}' twice (names are case-insensitive).");
                }

                list.Add(ReadResource(entry.Name, entry.Value));
            }

            return new AspireManifest(list);
        }
    }

    private static ManifestResource ReadResource(string name, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ManifestException($"resource '{name}' is not a JSON object.");
        }

        var typeName = OptionalString(element, "type", name);
        if (typeName is null)
        {
            var error = OptionalString(element, "error", name);
            throw new ManifestException($"resource '{name}' has no \"type\"{(error is null ? "" : $" (the AppHost wrote: {error})")}.");
        }

        var type = typeName switch
        {
            "project.v0" or "project.v1" => ManifestResourceType.Project,
            "container.v0" or "container.v1" => ManifestResourceType.Container,
            "executable.v0" => ManifestResourceType.Executable,
            "parameter.v0" => ManifestResourceType.Parameter,
            "value.v0" => ManifestResourceType.Value,
            "annotated.string" => ManifestResourceType.AnnotatedString,
            _ => throw new ManifestException($"resource '{name}' has type '{typeName}', which the Kubernetes generator does not know (it knows project.v0/v1, container.v0/v1, parameter.v0, value.v0 and annotated.string)."),
        };

        return new ManifestResource
        {
            Name = name,
            TypeName = typeName,
            Type = type,
            Path = OptionalString(element, "path", name),
            Image = OptionalString(element, "image", name),
            Entrypoint = OptionalString(element, "entrypoint", name),
            Args = element.TryGetProperty("args", out var args) ? StringArray(args, name, "args") : [],
            Env = element.TryGetProperty("env", out var env) ? StringMap(env, name, "env") : [],
            Bindings = element.TryGetProperty("bindings", out var bindings) ? ReadBindings(bindings, name) : [],
            Volumes = element.TryGetProperty("volumes", out var volumes) ? ReadVolumes(volumes, name) : [],
            BindMountCount = element.TryGetProperty("bindMounts", out var bindMounts) && bindMounts.ValueKind == JsonValueKind.Array ? bindMounts.GetArrayLength() : 0,
            ConnectionString = OptionalString(element, "connectionString", name),
            Value = OptionalString(element, "value", name),
            Filter = OptionalString(element, "filter", name),
            Input = type == ManifestResourceType.Parameter ? ReadParameterInput(element, name) : null,
        };
    }

    private static List<ManifestBinding> ReadBindings(JsonElement bindings, string resource)
    {
        Expect(bindings, JsonValueKind.Object, resource, "bindings");
        var list = new List<ManifestBinding>();
        foreach (var binding in bindings.EnumerateObject())
        {
            var field = $"bindings.{binding.Name}";
            Expect(binding.Value, JsonValueKind.Object, resource, field);
            var scheme = OptionalString(binding.Value, "scheme", resource) ?? "tcp";
            list.Add(new ManifestBinding(
                binding.Name,
                scheme,
                OptionalString(binding.Value, "protocol", resource) ?? "tcp",
                OptionalString(binding.Value, "transport", resource) ?? scheme,
                OptionalPort(binding.Value, "port", resource, field),
                OptionalPort(binding.Value, "targetPort", resource, field),
                binding.Value.TryGetProperty("external", out var external) && external.ValueKind == JsonValueKind.True));
        }

        return list;
    }

    private static List<ManifestVolume> ReadVolumes(JsonElement volumes, string resource)
    {
        Expect(volumes, JsonValueKind.Array, resource, "volumes");
        var list = new List<ManifestVolume>();
        foreach (var volume in volumes.EnumerateArray())
        {
            Expect(volume, JsonValueKind.Object, resource, "volumes[]");
            var target = OptionalString(volume, "target", resource)
                ?? throw new ManifestException($"resource '{resource}' has a volume without a \"target\" path.");
            list.Add(new ManifestVolume(OptionalString(volume, "name", resource), target,
                volume.TryGetProperty("readOnly", out var readOnly) && readOnly.ValueKind == JsonValueKind.True));
        }

        return list;
    }

    private static ManifestParameterInput ReadParameterInput(JsonElement element, string resource)
    {
        if (!element.TryGetProperty("inputs", out var inputs) || !inputs.TryGetProperty("value", out var input) || input.ValueKind != JsonValueKind.Object)
        {
            return new ManifestParameterInput(Secret: false, DefaultValue: null, GeneratedDefault: false);
        }

        var secret = input.TryGetProperty("secret", out var secretFlag) && secretFlag.ValueKind == JsonValueKind.True;
        string? defaultValue = null;
        var generated = false;
        if (input.TryGetProperty("default", out var defaults) && defaults.ValueKind == JsonValueKind.Object)
        {
            defaultValue = OptionalString(defaults, "value", resource);
            generated = defaults.TryGetProperty("generate", out _);
        }

        return new ManifestParameterInput(secret, defaultValue, generated);
    }

    private static string? OptionalString(JsonElement element, string property, string resource)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new ManifestException($"resource '{resource}': \"{property}\" must be a string, found {value.ValueKind}.");
    }

    private static int? OptionalPort(JsonElement element, string property, string resource, string field)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var port) && port is > 0 and <= 65535
            ? port
            : throw new ManifestException($"resource '{resource}': {field}.{property} must be a port number (1-65535), found {value}.");
    }

    private static List<string> StringArray(JsonElement array, string resource, string field)
    {
        Expect(array, JsonValueKind.Array, resource, field);
        return array.EnumerateArray()
            .Select(item => item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw new ManifestException($"resource '{resource}': every entry of \"{field}\" must be a string, found {item.ValueKind}."))
            .ToList();
    }

    private static List<KeyValuePair<string, string>> StringMap(JsonElement map, string resource, string field)
    {
        Expect(map, JsonValueKind.Object, resource, field);
        return map.EnumerateObject()
            .Select(entry => entry.Value.ValueKind == JsonValueKind.String
                ? KeyValuePair.Create(entry.Name, entry.Value.GetString()!)
                : throw new ManifestException($"resource '{resource}': {field}.{entry.Name} must be a string, found {entry.Value.ValueKind}."))
            .ToList();
    }

    private static void Expect(JsonElement element, JsonValueKind kind, string resource, string field)
    {
        if (element.ValueKind != kind)
        {
            throw new ManifestException($"resource '{resource}': \"{field}\" must be a JSON {kind.ToString().ToLowerInvariant()}, found {element.ValueKind}.");
        }
    }
}
