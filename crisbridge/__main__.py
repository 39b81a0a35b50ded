from crisbridge.cli import main

main()
