using Rill.AppHost;

// The Rill topology for development (F5 / dotnet run) and for publishing (--publisher manifest). Settings: TopologySettings.
DistributedApplication app;
try
{
    var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = args, DisableDashboard = DashboardSetting.IsDisabled(args) });
    RillTopology.Add(builder, TopologySettings.Read(builder.Configuration, builder.ExecutionContext.IsPublishMode));
    app = builder.Build();
}
catch (TopologyConfigurationException e)
{
    // One line, before anything started: the user fixes the setting and runs again.
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}

app.Run();
return 0;
