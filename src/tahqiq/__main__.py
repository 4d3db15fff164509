from tahqiq.cli import main

main()
