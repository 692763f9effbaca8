// SPDX-License-Identifier: MIT
pragma solidity ^0.8.23;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title PersonhoodTimelock
/// @notice OpenZeppelin's TimelockController as it is, declared here so that the build generates its
/// ABI and bytecode for `deployGovernorPersonhood`: a GovernorPersonhood queues and executes through it.
contract PersonhoodTimelock is TimelockController {
    /// @param minDelay Seconds between queueing and execution.
    /// @param proposers Accounts that may schedule and cancel (the governor).
    /// @param executors Accounts that may execute; `address(0)` lets anyone execute a ready operation.
    /// @param admin Optional account to grant the roles after deployment, which should renounce it; or zero.
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
