namespace ArdMl;
