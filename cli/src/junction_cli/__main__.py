from junction_cli.app import main

main()
