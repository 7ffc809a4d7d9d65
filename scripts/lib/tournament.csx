// lib/tournament.csx — tournament selection, a helper shared by evolutionary scripts through
//     #load "lib/tournament.csx"
// A #load-ed file is compiled into the loading script (its classes are visible there) and is watched with it: saving
// this file reloads every script that loads it.

/// <summary>Tournament selection (Goldberg & Deb, 1991): draw <c>size</c> members at random, keep the fittest.</summary>
public static class Tournament
{
    /// <summary>The fittest of <paramref name="size"/> members drawn uniformly with replacement; ties go to the first drawn.</summary>
    public static T Select<T>(IReadOnlyList<T> population, int size, Func<T, double> fitness, Random random)
    {
        if (population.Count == 0)
            throw new ArgumentException("The population is empty.", nameof(population));
        var winner = population[random.Next(population.Count)];
        for (int i = 1; i < size; i++)
        {
            var contender = population[random.Next(population.Count)];
            if (fitness(contender) > fitness(winner))
                winner = contender;
        }
        return winner;
    }
}
