from osslever.cli import main

main()
