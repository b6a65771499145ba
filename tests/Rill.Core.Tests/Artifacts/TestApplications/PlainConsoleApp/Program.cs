Console.WriteLine("Hello from an application that knows nothing of Rill.");
