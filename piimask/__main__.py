from piimask.cli import main

main()
