using System.Xml.Linq;
using Rill.Kubernetes.Generation;
using Rill.Kubernetes.Tests.TestSupport;

namespace Rill.Kubernetes.Tests;

/// <summary>
/// The images the base names are the images <c>dotnet publish -t:PublishContainer</c> builds: each deployable project
/// sets its ContainerRepository to the name the generator uses, on a base image that has the runtime it needs.
/// </summary>
public sealed class ContainerImageSettingsTests
{
    [Theory]
    [InlineData("samples/KafkaClickCounts/KafkaClickCounts.csproj", "mcr.microsoft.com/dotnet/aspnet:10.0")]
    [InlineData("src/Rill.DevKafka/Rill.DevKafka.csproj", "mcr.microsoft.com/dotnet/runtime:10.0")]
    public void The_project_publishes_the_image_the_base_names(string project, string baseImage)
    {
        var properties = XDocument.Load(Path.Combine(RepositoryPaths.Root, project)).Descendants("PropertyGroup").Elements().ToList();

        Assert.Equal(ContainerImages.Repository(project), Assert.Single(properties, property => property.Name == "ContainerRepository").Value);
        Assert.Equal(baseImage, Assert.Single(properties, property => property.Name == "ContainerBaseImage").Value);
    }
}
